using System.Diagnostics;
using System.Globalization;

namespace ServiceHub.Benchmarks.Circuits;

/// <summary>
/// What a process's work waits on, sampled from inside it (the app through the <see cref="StartupHook"/>, the simulated browsers in
/// the benchmark's own process): every 10 ms a dedicated thread notes how late it woke (a stop for a garbage collection or a
/// starved CPU), and every 10 ms a work item is queued to the thread pool and its wait until it runs is noted (what a circuit's
/// render or event waits in the queue). Both as cumulative histograms, with the GC's collection counts and pause time, so a
/// window's figures are the difference of two <see cref="Read"/>s.
/// </summary>
public static class PauseProbe
{
    /// <summary>Upper bounds (ms) of the histograms' buckets; the last bucket is everything above the last bound.</summary>
    public static readonly double[] Bounds = [2, 5, 10, 20, 50, 100, 200, 500];

    private static readonly long[] Late = new long[Bounds.Length + 1];
    private static readonly long[] Queued = new long[Bounds.Length + 1];
    private static double _maxLate, _maxQueued;
    private static int _started;

    public static void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        GcEvents.Start();
        new Thread(Sample) { IsBackground = true, Name = "servicehub-bench-pauses", Priority = ThreadPriority.AboveNormal }.Start();
    }

    private static void Sample()
    {
        var period = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var queuedAt = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(static at => Note(Queued, ref _maxQueued, Stopwatch.GetElapsedTime(at).TotalMilliseconds), queuedAt, preferLocal: false);
            var sleptAt = Stopwatch.GetTimestamp();
            Thread.Sleep(period);
            Note(Late, ref _maxLate, (Stopwatch.GetElapsedTime(sleptAt) - period).TotalMilliseconds);
            NoteCpu();
        }
    }

    // (time, the process's CPU time so far) every 10 ms, in a ring: a GC stop blocks this thread, so the samples either side of a
    // stop bracket it, and the CPU the process used inside the bracket is the collection's own work (the other threads are stopped).
    private const int CpuRing = 1 << 15;
    private static readonly (long Ticks, long CpuTicks)[] CpuSamples = new (long, long)[CpuRing];
    private static long _cpuNext;

    private static void NoteCpu()
    {
        var i = Interlocked.Increment(ref _cpuNext) - 1;
        CpuSamples[i % CpuRing] = (DateTime.UtcNow.Ticks, Environment.CpuUsage.TotalTime.Ticks);
    }

    /// <summary>
    /// The process's CPU time (ms) between the last sample at or before <paramref name="from"/> and the first at or after
    /// <paramref name="to"/>, and that bracket's length (ms); (-1, -1) when the ring no longer holds them.
    /// </summary>
    public static (double CpuMs, double WallMs) CpuBetween(DateTime from, DateTime to)
    {
        var n = Volatile.Read(ref _cpuNext);
        (long Ticks, long CpuTicks)? before = null, after = null;
        for (var k = n - 1; k >= Math.Max(0, n - CpuRing + 1); k--)
        {
            var s = CpuSamples[k % CpuRing];
            if (s.Ticks >= to.Ticks) after = s;
            else if (s.Ticks <= from.Ticks) { before = s; break; }
        }
        if (before is not { } b || after is not { } a) return (-1, -1);
        return (TimeSpan.FromTicks(a.CpuTicks - b.CpuTicks).TotalMilliseconds, TimeSpan.FromTicks(a.Ticks - b.Ticks).TotalMilliseconds);
    }

    private static void Note(long[] histogram, ref double max, double ms)
    {
        var i = 0;
        while (i < Bounds.Length && ms > Bounds[i]) i++;
        Interlocked.Increment(ref histogram[i]);
        if (ms > Volatile.Read(ref max)) Volatile.Write(ref max, ms); // a rare race only loses a maximum to a near-equal one
    }

    /// <summary>The cumulative figures, one line of invariant numbers (see <see cref="Sample"/>): read, subtract, print.</summary>
    public static string Read()
    {
        long[] values =
        [
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), (long)GC.GetTotalPauseDuration().TotalMicroseconds,
            ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount, (long)(Volatile.Read(ref _maxLate) * 1000), (long)(Volatile.Read(ref _maxQueued) * 1000),
            .. Late, .. Queued,
        ];
        Volatile.Write(ref _maxLate, 0);
        Volatile.Write(ref _maxQueued, 0);
        return string.Join(' ', values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Per thread of the process: time runnable but waiting for a CPU (the scheduler's run-queue delay) and time on a CPU, in ms
    /// (/proc/PID/task/TID/schedstat). <see cref="SchedulerDelta"/> of two readings says how much CPU the process had over a window
    /// and how long its threads waited for one while the other processes on the box ran.
    /// </summary>
    public static Dictionary<string, (double WaitMs, double RunMs)> Scheduler(int pid)
    {
        var threads = new Dictionary<string, (double, double)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var f = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                threads[Path.GetFileName(task)] = (long.Parse(f[1], CultureInfo.InvariantCulture) / 1e6, long.Parse(f[0], CultureInfo.InvariantCulture) / 1e6);
            }
            catch (IOException) { } // the thread ended meanwhile
        }
        return threads;
    }

    /// <summary>Waiting and running time (ms) between two <see cref="Scheduler"/> readings; a thread that began in between counts from zero, one that ended is lost.</summary>
    public static (double WaitMs, double RunMs) SchedulerDelta(Dictionary<string, (double WaitMs, double RunMs)> before, Dictionary<string, (double WaitMs, double RunMs)> after)
    {
        double wait = 0, run = 0;
        foreach (var (tid, a) in after)
        {
            var b = before.GetValueOrDefault(tid);
            wait += a.WaitMs - b.WaitMs;
            run += a.RunMs - b.RunMs;
        }
        return (wait, run);
    }

    /// <summary>Two <see cref="Read"/>s of one process as a report line: GCs and pause time in between, how late the sampler woke, how long work waited in the thread pool.</summary>
    public static string Describe(string before, string after, double seconds)
    {
        var a = before.Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var b = after.Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var n = Bounds.Length + 1;
        var late = Enumerable.Range(0, n).Select(i => b[8 + i] - a[8 + i]).ToArray();
        var queued = Enumerable.Range(0, n).Select(i => b[8 + n + i] - a[8 + n + i]).ToArray();
        var pauseMs = (b[3] - a[3]) / 1000.0;
        return string.Create(CultureInfo.InvariantCulture,
            $"GCs gen0/1/2 {b[0] - a[0]}/{b[1] - a[1]}/{b[2] - a[2]}, paused {pauseMs:0} ms ({pauseMs / seconds / 10:0.0}% of the time); "
            + $"thread pool {b[4]} threads, {b[5]} queued at the end; sampler woke late (ms) {Histogram(late)} max {b[6] / 1000.0:0}; "
            + $"work queued (ms) {Histogram(queued)} max {b[7] / 1000.0:0}");
    }

    private static string Histogram(long[] counts)
    {
        var total = Math.Max(1, counts.Sum());
        return string.Join(' ', counts.Select((c, i) => (c, i)).Where(x => x.c > 0)
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{(x.i < Bounds.Length ? "≤" + Bounds[x.i] : ">" + Bounds[^1])}:{100.0 * x.c / total:0.0#}%")));
    }
}
