using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

/// <summary>
/// A .NET startup hook the circuits benchmark loads into the app's own process (<c>DOTNET_STARTUP_HOOKS</c>): on a Unix socket
/// named by <c>SERVICEHUB_BENCH_PROBE</c> it answers "collect" with a full blocking GC and then the managed heap, the GC's
/// committed memory, the working set and the process's CPU time, and "pauses" with the <see cref="ServiceHub.Benchmarks.Circuits.PauseProbe"/>'s
/// figures (its sampler runs from the start: two threads waking every 10 ms). It runs nothing else, so the app is measured as it runs.
/// (The runtime looks for this exact type name, in no namespace.)
/// </summary>
public static class StartupHook
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("SERVICEHUB_BENCH_PROBE");
        if (string.IsNullOrEmpty(path)) return;
        ServiceHub.Benchmarks.Circuits.PauseProbe.Start();
        new Thread(() => Serve(path)) { IsBackground = true, Name = "servicehub-bench-probe" }.Start();
    }

    private static void Serve(string path)
    {
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4);
        while (true)
        {
            using var socket = listener.Accept();
            using var stream = new NetworkStream(socket);
            using var reader = new StreamReader(stream);
            using var writer = new StreamWriter(stream) { AutoFlush = true };
            var command = reader.ReadLine();
            if (command == "allocations")
            {
                writer.WriteLine(ServiceHub.Benchmarks.Circuits.GcEvents.DrainAllocations());
                continue;
            }
            if (command == "gcs")
            {
                writer.WriteLine(ServiceHub.Benchmarks.Circuits.GcEvents.Drain());
                continue;
            }
            if (command == "pauses")
            {
                writer.WriteLine(ServiceHub.Benchmarks.Circuits.PauseProbe.Read());
                continue;
            }
            if (command == "collect")
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
            var info = GC.GetGCMemoryInfo();
            using var self = Process.GetCurrentProcess();
            writer.WriteLine(string.Join(' ', new[]
            {
                GC.GetTotalMemory(false), info.TotalCommittedBytes, Environment.WorkingSet, (long)self.TotalProcessorTime.TotalMilliseconds,
            }.Select(v => v.ToString(CultureInfo.InvariantCulture))));
        }
    }
}
