using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ServiceHub.Benchmarks.Circuits;

/// <summary>
/// The app in a process of its own (<c>dotnet ServiceHub.App.dll</c>, the build of this checkout, production settings as
/// <c>./servicehub.sh run</c> starts it), so its CPU time and memory are measured apart from the simulated browsers. Its
/// console goes to a log file. <see cref="CpuMilliseconds"/> and <see cref="RssBytes"/> read /proc; <see cref="CollectAsync"/>
/// asks the <see cref="StartupHook"/> inside it for a full GC and the heap that survives it.
/// </summary>
public sealed class AppServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _probe;
    public Uri BaseUri { get; }
    public string LogPath { get; }
    public int ProcessId => _process.Id;

    private AppServer(Process process, Uri baseUri, string probe, string logPath)
    {
        _process = process;
        BaseUri = baseUri;
        _probe = probe;
        LogPath = logPath;
    }

    /// <param name="appDll">Another build of the app to measure (its project folder is the content root), for before/after runs; by default this checkout's.</param>
    /// <param name="environment">More environment for the app (e.g. DOTNET_gcServer=0 to try another GC).</param>
    public static async Task<AppServer> StartAsync(string connectionString, string workDir, bool playDemoHistory, TimeSpan readyWithin, string? appDll = null,
        IEnumerable<string>? environment = null)
    {
        var dll = appDll ?? Path.Combine(RepositoryRoot(), "ServiceHub.App", "bin", "Release", "net10.0", "ServiceHub.App.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the app in Release first");
        var project = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(dll)!, "..", "..", ".."));
        var port = FreePort();
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        var probe = Path.Combine(workDir, $"probe-{port}.sock");
        var logPath = Path.Combine(workDir, $"server-{port}.log");
        var start = new ProcessStartInfo("dotnet", [dll, "--contentRoot", project])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = project,
        };
        var env = start.Environment;
        env["ASPNETCORE_URLS"] = baseUri.ToString().TrimEnd('/');
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["ConnectionStrings__ServiceHub"] = connectionString;
        env["ServiceHub__SeedDemo"] = "true";
        env["ServiceHub__SeedDemoHistory"] = playDemoHistory ? "true" : "false";
        env["DataProtection__AllowUnencryptedKeys"] = "true";
        // As the alerts benchmark: Hangfire's job server off (its polling would share the CPU being measured); every simulated
        // person signs in from 127.0.0.1.
        env["Hangfire__Server"] = "false";
        env["SignIn__RateLimit__PerIp__PermitLimit"] = "100000";
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__ServiceHub.Data.Admin.DemoStartup"] = "Information";
        env["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location;
        env["SERVICEHUB_BENCH_PROBE"] = probe;
        foreach (var pair in environment ?? []) env[pair[..pair.IndexOf('=')]] = pair[(pair.IndexOf('=') + 1)..];
        var process = Process.Start(start)!;
        // The app goes with the benchmark, however it ends (Ctrl+C, kill).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } };
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AppServer(process, baseUri, probe, logPath);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the app exited ({process.ExitCode}); see {logPath}");
            try
            {
                if ((await http.GetAsync(new Uri(baseUri, "healthz"))).StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (waited.Elapsed > readyWithin) { await server.DisposeAsync(); throw new TimeoutException($"the app did not answer within {readyWithin}; see {logPath}"); }
            await Task.Delay(500);
        }
        return server;
    }

    /// <summary>User + system CPU time of the app's process so far (/proc/PID/stat, clock ticks of 10 ms).</summary>
    public double CpuMilliseconds()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    /// <summary>The app's resident set size (VmRSS).</summary>
    public long RssBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>A full blocking GC inside the app, then its live managed heap, the GC's committed bytes and the resident set.</summary>
    public async Task<(long Heap, long Committed, long Rss)> CollectAsync()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_probe));
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { AutoFlush = true };
        await writer.WriteLineAsync("collect");
        var values = (await reader.ReadLineAsync())!.Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return (values[0], values[1], RssBytes());
    }

    /// <summary>The app's <see cref="PauseProbe"/> figures so far (GCs, pauses, thread-pool waits), for <see cref="PauseProbe.Describe"/>.</summary>
    public Task<string> PausesAsync() => AskAsync("pauses");

    /// <summary>The app's GC stops since the last call (<see cref="GcEvents.Drain"/>).</summary>
    public Task<string> GcEventsAsync() => AskAsync("gcs");

    /// <summary>What the app allocated since the last call, by type (<see cref="GcEvents.DrainAllocations"/>).</summary>
    public Task<string> AllocationsAsync() => AskAsync("allocations");

    private async Task<string> AskAsync(string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_probe));
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { AutoFlush = true };
        await writer.WriteLineAsync(command);
        return (await reader.ReadLineAsync())!;
    }

    /// <summary>Warnings and errors the app logged (its JSON console lines), for the report.</summary>
    public IReadOnlyList<string> LoggedProblems() =>
        File.ReadLines(LogPath).Where(l => l.Contains("\"LogLevel\":\"Warning\"", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal)
                                           || l.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ServiceHub.sln"))) return dir.FullName;
        throw new InvalidOperationException("ServiceHub.sln not found above " + AppContext.BaseDirectory);
    }
}
