using System.Diagnostics;
using System.Reflection;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>Marks a static method <c>Task&lt;int&gt; M(string[] args)</c> as a role this test assembly plays as a child process.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChildRoleAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// The test assembly's entry point (the test SDK's generated one is off): <c>dotnet ServiceHub.Tests.dll ROLE args…</c> runs the
/// method marked <see cref="ChildRoleAttribute"/> with that name. The fault tests start the real code in a child process this way
/// and kill it with SIGKILL at the moment they choose.
/// </summary>
public static class ChildProgram
{
    public static async Task<int> Main(string[] args)
    {
        var role = args.Length == 0 ? null : typeof(ChildProgram).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .FirstOrDefault(m => m.GetCustomAttribute<ChildRoleAttribute>()?.Name == args[0]);
        if (role is null)
        {
            await Console.Error.WriteLineAsync($"usage: ServiceHub.Tests ROLE [args]; no role '{args.FirstOrDefault()}'");
            return 2;
        }
        return await (Task<int>)role.Invoke(null, [args[1..]])!;
    }
}

/// <summary>
/// A child process — a role of this assembly (<see cref="Start"/>), or the built ServiceHub.App as production runs it
/// (<see cref="StartApp"/>) — whose output is read line by line, so the test waits for a marker, and which the test may kill with
/// SIGKILL in the middle of its work.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly object _gate = new();
    private TaskCompletionSource _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_gate) return string.Join("\n", _lines); } }

    public static ChildProcess Start(string role, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(ChildProgram).Assembly.Location);
        info.ArgumentList.Add(role);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Start(info);
    }

    /// <summary>
    /// <c>dotnet ServiceHub.App.dll args…</c> in Production over <paramref name="connectionString"/>, its database sessions named
    /// <paramref name="applicationName"/> (so the test sees them in <c>pg_stat_activity</c> and waits until the server has ended them).
    /// </summary>
    public static ChildProcess StartApp(string connectionString, string applicationName, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ServiceHub.App.dll"));
        return StartApp(info, connectionString, applicationName, environment, args);
    }

    /// <summary>
    /// The executable of a published build as a server without the .NET SDK starts it: its environment holds nothing of this process's
    /// (no PATH to <c>dotnet</c>, no <c>DOTNET_ROOT</c>) but <paramref name="environment"/> and what <see cref="StartApp(string, string, IReadOnlyDictionary{string, string}?, string[])"/> sets.
    /// </summary>
    public static ChildProcess StartPublishedApp(string executable, string connectionString, string applicationName, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(executable) };
        info.Environment.Clear();
        return StartApp(info, connectionString, applicationName, environment, args);
    }

    private static ChildProcess StartApp(ProcessStartInfo info, string connectionString, string applicationName, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["ConnectionStrings__ServiceHub"] = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DataProtection__AllowUnencryptedKeys"] = "true";
        info.Environment["Hangfire__Server"] = "false";
        info.Environment["ServiceHub__PublicUrl"] = "http://servicehub.test";
        info.Environment["Backups__Directory"] = Path.Combine(Path.GetTempPath(), "servicehub-fault-backups");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return Start(info);
    }

    private static ChildProcess Start(ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data is null ? null : "stderr: " + e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        TaskCompletionSource arrived;
        lock (_gate)
        {
            _lines.Add(line);
            arrived = _lineArrived;
            _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        arrived.TrySetResult();
    }

    /// <summary>Waits for a line starting with <paramref name="marker"/>; returns the rest of it. Fails when the child exits first.</summary>
    public async Task<string> WaitForAsync(string marker, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_lines.FirstOrDefault(l => l.StartsWith(marker, StringComparison.Ordinal)) is { } line) return line[marker.Length..].Trim();
                arrived = _lineArrived.Task;
            }
            if (_process.HasExited) throw new InvalidOperationException($"the child exited ({_process.ExitCode}) before '{marker}':\n{Output}");
            try { await Task.WhenAny(arrived, _process.WaitForExitAsync(cts.Token)).WaitAsync(cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"no '{marker}' from the child within {timeout}:\n{Output}"); }
        }
    }

    /// <summary>Waits until the app at <paramref name="url"/> answers <c>/healthz</c> healthy. Fails when the child exits first.</summary>
    public async Task WaitUntilHealthyAsync(string url, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
        async Task<bool> HealthyAsync()
        {
            try
            {
                using var response = await client.GetAsync("/healthz");
                return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"healthy\"", StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { return false; }
        }
        await Eventually.WaitAsync(async () => HasExited || await HealthyAsync(), up => up, timeout, "the app to answer /healthz healthy");
        if (HasExited) throw new InvalidOperationException($"the app exited ({_process.ExitCode}) before it was healthy:\n{Output}");
    }

    /// <summary>kill -9: SIGKILL, no clean-up of any kind in the child. Returns once it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // the output's last lines
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
