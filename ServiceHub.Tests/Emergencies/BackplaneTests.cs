using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Emergencies;

/// <summary>A local <c>redis-server</c> (Debian's package) on a free loopback port, without persistence, stopped with the fixture.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    private RedisServer(Process process, int port) { _process = process; Port = port; }

    public static async Task<RedisServer> StartAsync()
    {
        var exe = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
                  ?? throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; ./servicehub.sh test installs it)");
        var port = Loopback.FreePort();
        var process = Process.Start(new ProcessStartInfo(exe, $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode yes")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) => { if (e.Data?.Contains("Ready to accept connections") == true) ready.TrySetResult(); };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("redis-server exited"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return new RedisServer(process, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>One app instance on its own loopback port over a given database, with the Redis backplane of <paramref name="redis"/> and the given clock.</summary>
public sealed class AppInstance(string connectionString, string redis, TimeProvider clock) : WebApplicationFactory<Program>
{
    public string BaseUrl => ClientOptions.BaseAddress.ToString().TrimEnd('/');

    public void Start()
    {
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:ServiceHub", connectionString);
        builder.UseSetting("ServiceHub:SeedDemo", "true");
        builder.UseSetting("Hangfire:Server", "false");
        builder.UseSetting("SignalR:Redis", redis);
        builder.UseSetting("DataProtection:AllowUnencryptedKeys", "true");
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton(clock);
        });
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();
}

/// <summary>Two instances of the app against one PostgreSQL and one local redis-server, on one clock (from <see cref="TestClock.Start"/>).</summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(TestClock.Start);
    public RedisServer Redis { get; private set; } = default!;
    public AppInstance A { get; private set; } = default!;
    public AppInstance B { get; private set; } = default!;
    private string _cs = "";

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        _cs = await Infrastructure.TestServer.CreateDatabaseAsync(nameof(TwoInstances));
        A = new AppInstance(_cs, Redis.ConnectionString, Clock);
        A.Start(); // migrations and demo data once, before B starts
        B = new AppInstance(_cs, Redis.ConnectionString, Clock);
        B.Start();
    }

    public async Task DisposeAsync()
    {
        if (B is not null) await B.DisposeAsync();
        if (A is not null) await A.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        if (_cs != "") await Infrastructure.TestServer.DropDatabaseAsync(_cs);
    }
}

public sealed class BackplaneTests(TwoInstances apps) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task An_emergency_raised_on_instance_A_reaches_a_manager_connected_to_instance_B()
    {
        Assert.NotEqual(apps.A.BaseUrl, apps.B.BaseUrl);
        await using var managerOnB = await AlertsClient.ConnectAsync(apps.B.BaseUrl, "pmmanager");
        await using var leaderOnA = await AlertsClient.ConnectAsync(apps.A.BaseUrl, "leader");

        var db = apps.A.Get<NpgsqlDataSource>();
        var id = await apps.A.Get<EmergencyRepository>().ReportAsync(
            await apps.A.Get<UserRepository>().ActorAsync("agent"), await EmergencyTestData.ReportAsync(db, apps.Clock.GetUtcNow(), "PM"));

        var onB = await managerOnB.NextAsync();
        Assert.Equal((id, AlertReasons.Raised), (onB.EmergencyId, onB.Reason));
        Assert.Equal(id, (await leaderOnA.NextAsync()).EmergencyId);

        // Acknowledged on B (through B's hub), the manager's screen on A drops it too.
        await using var managerOnA = await AlertsClient.ConnectAsync(apps.A.BaseUrl, "pmmanager");
        Assert.Equal(onB.AlertId, (await managerOnA.NextAsync()).AlertId); // caught up on connecting to A
        Assert.True(await managerOnB.Connection.InvokeAsync<bool>("Acknowledge", onB.AlertId));
        Assert.Contains(onB.AlertId, await managerOnA.NextAcknowledgedAsync());
    }
}
