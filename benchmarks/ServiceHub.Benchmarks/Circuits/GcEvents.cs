using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace ServiceHub.Benchmarks.Circuits;

/// <summary>
/// The runtime's own GC events, read inside the process (an <see cref="EventListener"/> on "Microsoft-Windows-DotNETRuntime", GC
/// keyword, informational): for every stop of the process, how long the runtime took to suspend the threads (GCSuspendEE begin →
/// end: threads running or descheduled on a busy CPU until they reach a safe point), how long the collection itself ran (GCStart →
/// GCEnd) and the whole stop (suspend begin → restart end); the collection's generation, reason and type (blocking, background,
/// foreground), why the GC chose that generation (GCGlobalHeapHistory's condemn reasons), and what it promoted and kept
/// (GCHeapStats: bytes promoted out of gen0 and gen1, generation sizes, pinned objects). Timestamps are the events' own, so the
/// listener's dispatch delay does not count. <see cref="Drain"/> hands out the stops noted since the last call.
/// </summary>
public sealed class GcEvents : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private static GcEvents? _instance;
    private readonly ConcurrentQueue<string> _done = new();
    private readonly ConcurrentQueue<Stop> _pending = new();
    private readonly object _gate = new();
    private Stop? _current;
    private Stop? _lastWithGc;
    private readonly Dictionary<string, long> _allocated = new(StringComparer.Ordinal);

    private sealed class Stop
    {
        public DateTime SuspendBegin, SuspendEnd, GcStart, GcEnd, RestartEnd;
        public int SuspendReason = -1, Generation = -1, Reason = -1, Type = -1;
        public long CondemnReasons0 = -1, CondemnReasons1 = -1, GlobalMechanisms = -1;
        public long Promoted0 = -1, Promoted1 = -1, Promoted2 = -1, Gen0Size = -1, Gen1Size = -1, Gen2Size = -1, LohSize = -1, PohSize = -1, Pinned = -1;
    }

    /// <summary>The first GCGlobalHeapHistory event's fields and values (which fields this runtime's event has).</summary>
    public static string? FieldsSeen { get; private set; }

    public static void Start() => _instance ??= new GcEvents();

    /// <summary>
    /// The stops noted since the last call, one per entry, fields separated by commas: stop ms, suspension ms, GC ms (GCStart →
    /// GCEnd, may span the stop for a background GC), generation, reason, type, condemn reasons 0 and 1 (hex), promoted gen0, gen1,
    /// gen2 bytes, gen0/1/2/LOH/POH sizes after, pinned objects, suspend reason, seconds since the epoch of the suspension.
    /// </summary>
    public static string Drain()
    {
        var list = new List<string>();
        if (_instance is { } me)
            while (me._pending.TryDequeue(out var stop)) me._done.Enqueue(Describe(stop));
        if (FieldsSeen is { } seen) list.Add("#" + seen.Replace(';', ' ').Replace(',', ' '));
        while (_instance is { } i && i._done.TryDequeue(out var s)) list.Add(s);
        return string.Join(';', list);
    }

    /// <summary>Bytes allocated by type since the last call, as sampled by the GC's allocation ticks: "bytes type" entries, most first, separated by ';'.</summary>
    public static string DrainAllocations()
    {
        if (_instance is not { } i) return "";
        lock (i._gate)
        {
            var top = i._allocated.OrderByDescending(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value} {p.Key.Replace(';', ',')}")).ToList();
            i._allocated.Clear();
            return string.Join(';', top);
        }
    }

    /// <summary>A <see cref="DrainAllocations"/> as report lines: the total and the types that took most of it.</summary>
    public static IEnumerable<string> SummariseAllocations(string drained, double seconds, int steps, int top = 12)
    {
        var entries = drained.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(e => (Bytes: long.Parse(e[..e.IndexOf(' ')], CultureInfo.InvariantCulture), Type: e[(e.IndexOf(' ') + 1)..])).ToList();
        var total = entries.Sum(e => e.Bytes);
        yield return string.Create(CultureInfo.InvariantCulture, $"{total / 1048576.0:0} MB sampled in {seconds:0} s ({total / 1048576.0 / seconds:0.0} MB/s, {total / 1024.0 / Math.Max(1, steps):0} KB per step)");
        foreach (var e in entries.Take(top))
            yield return string.Create(CultureInfo.InvariantCulture, $"{100.0 * e.Bytes / Math.Max(1, total),5:0.0}%  {e.Type}");
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Verbose: the GC's allocation ticks too (one event per ≈ 100 KB allocated, naming the type of the object that crossed it).
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        var name = e.EventName ?? "";
        lock (_gate)
        {
            if (name.StartsWith("GCAllocationTick", StringComparison.Ordinal))
            {
                var type = e.PayloadNames is { } names && names.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string ?? "?" : "?";
                var kind = Long(e, "AllocationKind") switch { 1 => " (LOH)", 2 => " (POH)", _ => "" };
                var amount = Long(e, "AllocationAmount64");
                _allocated[type + kind] = _allocated.GetValueOrDefault(type + kind) + Math.Max(0, amount);
            }
            else if (name.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal))
            {
                _current = new Stop { SuspendBegin = e.TimeStamp, SuspendReason = (int)Long(e, "Reason") };
            }
            else if (name.StartsWith("GCSuspendEEEnd", StringComparison.Ordinal))
            {
                if (_current is not null) _current.SuspendEnd = e.TimeStamp;
            }
            else if (name.StartsWith("GCStart", StringComparison.Ordinal))
            {
                if (_current is null) return;
                _current.GcStart = e.TimeStamp;
                _current.Generation = (int)Long(e, "Depth");
                _current.Reason = (int)Long(e, "Reason");
                _current.Type = (int)Long(e, "Type");
                _lastWithGc = _current;
            }
            else if (name.StartsWith("GCEnd", StringComparison.Ordinal))
            {
                if (_lastWithGc is not null) _lastWithGc.GcEnd = e.TimeStamp;
            }
            else if (name.StartsWith("GCGlobalHeapHistory", StringComparison.Ordinal))
            {
                if (FieldsSeen is null) FieldsSeen = name + ": " + string.Join(",", e.PayloadNames ?? []) + " = " + string.Join(",", e.Payload ?? []);
                if (_lastWithGc is null) return;
                _lastWithGc.CondemnReasons0 = Long(e, "CondemnReasons0");
                _lastWithGc.CondemnReasons1 = Long(e, "CondemnReasons1");
                _lastWithGc.GlobalMechanisms = Long(e, "GlobalMechanisms");
            }
            else if (name.StartsWith("GCHeapStats", StringComparison.Ordinal))
            {
                if (_lastWithGc is null) return;
                var s = _lastWithGc;
                s.Promoted0 = Long(e, "TotalPromotedSize0");
                s.Promoted1 = Long(e, "TotalPromotedSize1");
                s.Promoted2 = Long(e, "TotalPromotedSize2");
                s.Gen0Size = Long(e, "GenerationSize0");
                s.Gen1Size = Long(e, "GenerationSize1");
                s.Gen2Size = Long(e, "GenerationSize2");
                s.LohSize = Long(e, "GenerationSize3");
                s.PohSize = Long(e, "GenerationSize4");
                s.Pinned = Long(e, "PinnedObjectCount");
            }
            else if (name.StartsWith("GCRestartEEEnd", StringComparison.Ordinal))
            {
                if (_current is null) return;
                _current.RestartEnd = e.TimeStamp;
                var s = _current;
                _current = null;
                if (s.Generation < 0 && _lastWithGc is { } bgc && !ReferenceEquals(bgc, s))
                {
                    // A background GC's later stop (its final mark): note it as a stop of that GC's generation and type.
                    s.Generation = bgc.Generation;
                    s.Type = 3; // "a background GC's second stop"
                }
                _pending.Enqueue(s);
    
            }
        }
    }

    private static string Describe(Stop s) => string.Create(CultureInfo.InvariantCulture,
        $"{Ms(s.SuspendBegin, s.RestartEnd):0.00},{Ms(s.SuspendBegin, s.SuspendEnd):0.00},{(s.GcStart == default || s.GcEnd == default ? -1 : Ms(s.GcStart, s.GcEnd)):0.00},"
        + $"{s.Generation},{s.Reason},{s.Type},{s.CondemnReasons0:x},{s.CondemnReasons1:x},{s.Promoted0},{s.Promoted1},{s.Promoted2},"
        + $"{s.Gen0Size},{s.Gen1Size},{s.Gen2Size},{s.LohSize},{s.PohSize},{s.Pinned},{s.SuspendReason},{(s.SuspendBegin - DateTime.UnixEpoch).TotalSeconds:0.000},"
        + $"{PauseProbe.CpuBetween(s.SuspendBegin, s.RestartEnd).CpuMs:0.00},{PauseProbe.CpuBetween(s.SuspendBegin, s.RestartEnd).WallMs:0.00}");

    private static double Ms(DateTime from, DateTime to) => from == default || to == default ? -1 : (to - from).TotalMilliseconds;

    private static long Long(EventWrittenEventArgs e, string field)
    {
        if (e.PayloadNames is null || e.Payload is null) return -1;
        var i = e.PayloadNames.IndexOf(field);
        if (i < 0) return -1;
        return e.Payload[i] switch
        {
            null => -1,
            ulong u => unchecked((long)u),
            var v => Convert.ToInt64(v, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// Stops of one process's window (entries of <see cref="Drain"/>) as report lines: per kind of collection (generation and
    /// type), how many, stop time (mean / p95 / max), the suspension's share, promoted bytes, and why the GC chose that generation.
    /// </summary>
    public static IEnumerable<string> Summarise(string drained, double seconds)
    {
        var stops = drained.Split(';', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).Select(l => l.Split(',')).ToList();
        if (stops.Count == 0) { yield return "no GC events"; yield break; }
        double D(string[] f, int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        var total = stops.Sum(f => Math.Max(0, D(f, 0)));
        var suspension = stops.Sum(f => Math.Max(0, D(f, 1)));
        var bracketed = stops.Where(f => f.Length > 20 && D(f, 19) >= 0 && D(f, 20) > 0).ToList();
        var bracketCpu = bracketed.Sum(f => D(f, 19));
        var bracketWall = bracketed.Sum(f => D(f, 20));
        yield return string.Create(CultureInfo.InvariantCulture,
            $"{stops.Count} stops, {total:0} ms ({total / seconds / 10:0.0}% of the time), of it suspending the threads {suspension:0} ms ({100 * suspension / Math.Max(1, total):0}%); "
            + $"the process's CPU time inside the stops (sampled each 10 ms either side of {bracketed.Count} of them): {bracketCpu:0} ms in {bracketWall:0} ms = {100 * bracketCpu / Math.Max(1, bracketWall):0}% of one core");
        string[] types = ["blocking", "background", "foreground", "bgc's 2nd stop"];
        string[] reasons = ["alloc small", "induced", "low memory", "empty", "alloc LOH", "out of space SOH", "out of space LOH", "induced not forced", "internal", "induced low memory", "induced compacting", "low memory host", "PM full GC", "low memory host blocking"];
        foreach (var g in stops.GroupBy(f => (Gen: (int)D(f, 3), Type: (int)D(f, 5))).OrderBy(g => g.Key.Gen).ThenBy(g => g.Key.Type))
        {
            var ms = g.Select(f => D(f, 0)).Order().ToList();
            var susp = g.Select(f => D(f, 1)).Order().ToList();
            var why = string.Join(", ", g.GroupBy(f => (int)D(f, 4)).Select(r => $"{(r.Key >= 0 && r.Key < reasons.Length ? reasons[r.Key] : r.Key.ToString(CultureInfo.InvariantCulture))} {r.Count()}"));
            var condemn = string.Join(", ", g.GroupBy(f => f[6] + "/" + f[7]).OrderByDescending(r => r.Count()).Take(3).Select(r => $"{r.Key} ×{r.Count()}"));
            var type = g.Key.Type is >= 0 and < 4 ? types[g.Key.Type] : g.Key.Type.ToString(CultureInfo.InvariantCulture);
            var gens = g.Where(f => D(f, 8) >= 0).ToList();
            var heap = gens.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"promoted gen0 {gens.Average(f => D(f, 8)) / 1048576:0.0} MB, gen1 {gens.Average(f => D(f, 9)) / 1048576:0.0} MB; after: gen0 {gens.Average(f => D(f, 11)) / 1048576:0.0}, gen1 {gens.Average(f => D(f, 12)) / 1048576:0.0}, gen2 {gens.Average(f => D(f, 13)) / 1048576:0.0}, LOH {gens.Average(f => D(f, 14)) / 1048576:0.0}, POH {gens.Average(f => D(f, 15)) / 1048576:0.0} MB, pinned {gens.Average(f => D(f, 16)):0}; ") : "";
            yield return string.Create(CultureInfo.InvariantCulture,
                $"gen{g.Key.Gen} {type}: {g.Count()}, stop mean {ms.Average():0.0} / p95 {Stats.Percentile(ms, 95):0.0} / max {ms.Max():0.0} ms, suspension mean {susp.Average():0.0} / max {susp.Max():0.0} ms, "
                + $"GC mean {g.Select(f => D(f, 2)).Where(v => v >= 0).DefaultIfEmpty().Average():0.0} ms; "
                + $"{heap}"
                + $"reason {why}; condemn reasons {condemn}");
        }
    }
}
