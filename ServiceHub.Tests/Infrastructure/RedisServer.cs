using System.Diagnostics;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// A local <c>redis-server</c> (Debian's package) on a free loopback port, without persistence, stopped with the fixture. A test may
/// stop it (<see cref="StopAsync"/>: the process killed, every connection dropped) and start it again on the same port.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;
    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    private RedisServer(int port) => Port = port;

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(Loopback.FreePort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("redis-server is running");
        var exe = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
                  ?? throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; ./servicehub.sh test installs it)");
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(exe, $"--port {Port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode yes")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            },
            EnableRaisingEvents = true,
        };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            output.Enqueue(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal)) ready.TrySetResult();
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited:\n" + string.Join('\n', output)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process?.Dispose();
        _process = process;
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Redis gone: SIGKILL, so every client sees its connection drop at once.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }
}

/// <summary>
/// Two instances of the app (real Kestrel ports) against one PostgreSQL database and one local redis-server (their
/// <c>SignalR:Redis</c>), on one clock (from <see cref="TestClock.Start"/>). Ready once both are live through Redis.
/// </summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; } = new(TestClock.Start);
    public RedisServer Redis { get; private set; } = default!;
    public AppOnDatabase A { get; private set; } = default!;
    public AppOnDatabase B { get; private set; } = default!;
    private string _cs = "";

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        _cs = await TestServer.CreateDatabaseAsync(nameof(TwoInstances));
        var settings = new Dictionary<string, string?> { ["SignalR:Redis"] = Redis.ConnectionString };
        A = await AppOnDatabase.StartAsync(_cs, Clock, kestrel: true, settings); // migrations and demo data once, before B starts
        B = await AppOnDatabase.StartAsync(_cs, Clock, kestrel: true, settings);
        await Eventually.WaitAsync(() => BothLive, Patience, "both instances to be live through Redis");
    }

    /// <summary>Both instances publish and receive through Redis.</summary>
    public bool BothLive => Backplane(A).Live && Backplane(B).Live;

    public static ServiceHub.App.Emergencies.AlertsBackplane Backplane(AppFactory app) => app.Get<ServiceHub.App.Emergencies.AlertsBackplane>();

    public async Task DisposeAsync()
    {
        if (B is not null) await B.DisposeAsync();
        if (A is not null) await A.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        if (_cs != "") await TestServer.DropDatabaseAsync(_cs);
    }
}
