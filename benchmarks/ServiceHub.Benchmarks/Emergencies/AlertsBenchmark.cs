using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Benchmarks.Emergencies;

/// <summary>
/// N authenticated hub clients (leadership accounts, so each is a recipient) on one app instance: the time from submitting an
/// emergency (the repository call the report page makes: transaction, alerts, push) to each client receiving its alert, next
/// to a bare SignalR broadcast of the same payload to the same clients in the same run.
/// </summary>
public static class AlertsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var clients = Option(args, "--clients", 1000);
        var rounds = Option(args, "--rounds", 5);
        var server = Environment.GetEnvironmentVariable("SERVICEHUB_BENCH_SERVER") ?? Environment.GetEnvironmentVariable("ConnectionStrings__ServiceHub");
        if (string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine("Set SERVICEHUB_BENCH_SERVER to a PostgreSQL connection string (a database is created and dropped).");
            return 2;
        }

        var dbName = $"sh_bench_{Guid.NewGuid():N}"[..30];
        var admin = new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString;
        await ExecAsync(admin, $"CREATE DATABASE \"{dbName}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = dbName, MaxPoolSize = 50 }.ConnectionString;
        try
        {
            await using var app = new BenchApp(cs);
            app.Start();
            Console.WriteLine($"app on {app.BaseUrl}; {Environment.ProcessorCount} CPUs; {clients} clients; {rounds} rounds");
            await RunAsync(app, cs, clients, rounds);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecAsync(admin, $"DROP DATABASE IF EXISTS \"{dbName}\" WITH (FORCE)");
        }
        return 0;
    }

    private static async Task RunAsync(BenchApp app, string cs, int clientCount, int rounds)
    {
        // N leadership accounts: each is a recipient of every emergency.
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.ExecuteAsync("""
                INSERT INTO users (user_name, display_name, password_hash, roles)
                SELECT 'bench' || lpad(i::text, 5, '0'), '领导' || i, @hash, ARRAY['leadership']
                FROM generate_series(1, @n) i
                """, new { hash = UserRepository.HashPassword(DemoSeeder.DemoPassword), n = clientCount });
        }

        var sw = Stopwatch.StartNew();
        var inbox = new Inbox(clientCount);
        var connections = new HubConnection[clientCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, clientCount), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var cookies = await BenchSignIn.SignInAsync(app.BaseUrl, $"bench{i + 1:00000}", ct);
            var c = new HubConnectionBuilder().WithUrl(app.BaseUrl + AlertsHub.Path, o => o.Cookies = cookies).Build();
            var index = i;
            c.On<AlertMessage>(nameof(IAlertsClient.EmergencyAlert), a => inbox.Received(a.EmergencyId, index));
            await c.StartAsync(ct);
            connections[i] = c;
        });
        Console.WriteLine($"{clientCount} clients signed in and connected in {sw.Elapsed.TotalSeconds:F1} s");

        var emergencies = app.Services.GetRequiredService<EmergencyRepository>();
        var hub = app.Services.GetRequiredService<IHubContext<AlertsHub, IAlertsClient>>();
        var db = app.Services.GetRequiredService<NpgsqlDataSource>();
        var agent = await ActorAsync(db, "agent");
        var clock = TimeProvider.System;

        async Task<(long[] Latencies, double SubmitMs)> EmergencyRoundAsync()
        {
            var report = await ReportAsync(db, clock.GetUtcNow());
            // The id is known only when the call returns: receipts are matched by the next id.
            var expectedId = await NextEmergencyIdAsync(db);
            var t0 = Stopwatch.GetTimestamp();
            var round = inbox.Expect(expectedId, t0);
            var id = await emergencies.ReportAsync(agent, report);
            var submitMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (id != expectedId) throw new InvalidOperationException($"expected emergency {expectedId}, got {id}");
            return (await round.WaitAsync(), submitMs);
        }

        async Task<long[]> BroadcastRoundAsync(int fakeId, AlertMessage sample)
        {
            var payload = sample with { EmergencyId = fakeId };
            var t0 = Stopwatch.GetTimestamp();
            var round = inbox.Expect(fakeId, t0);
            await hub.Clients.All.EmergencyAlert(payload);
            return await round.WaitAsync();
        }

        // Warm-up (JIT, connection pools), not counted.
        await EmergencyRoundAsync();
        var sample = (await emergencies.PendingAlertsAsync(agent.Id)).FirstOrDefault()
                     ?? (await emergencies.PendingAlertsAsync((await ActorAsync(db, "bench00001")).Id))[0];
        await BroadcastRoundAsync(-1, sample);

        var viaEmergency = new List<long>();
        var bare = new List<long>();
        var submits = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            // Alternate which goes first, so neither always runs on a warmer machine.
            if (r % 2 == 0)
            {
                var (l, s) = await EmergencyRoundAsync(); viaEmergency.AddRange(l); submits.Add(s);
                bare.AddRange(await BroadcastRoundAsync(-100 - r, sample));
            }
            else
            {
                bare.AddRange(await BroadcastRoundAsync(-100 - r, sample));
                var (l, s) = await EmergencyRoundAsync(); viaEmergency.AddRange(l); submits.Add(s);
            }
        }

        var e = Stats(viaEmergency);
        var b = Stats(bare);
        Console.WriteLine();
        Console.WriteLine($"| path ({clientCount} clients × {rounds} rounds) | p50 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| emergency submitted → alert received | {e.P50:F1} | {e.P99:F1} | {e.Max:F1} |");
        Console.WriteLine($"| bare SignalR broadcast → received | {b.P50:F1} | {b.P99:F1} | {b.Max:F1} |");
        Console.WriteLine();
        Console.WriteLine($"submit call (transaction + {clientCount + 3} alerts + push) mean {submits.Average():F1} ms; p99 ratio emergency/bare = {e.P99 / b.P99:F2}");
        var ok = e.P99 <= 250 && e.P99 <= 3 * b.P99;
        Console.WriteLine(ok ? "target met: p99 ≤ 250 ms and ≤ 3× the bare broadcast" : "TARGET MISSED: p99 ≤ 250 ms and ≤ 3× the bare broadcast");

        foreach (var c in connections) await c.DisposeAsync();
    }

    private static (double P50, double P99, double Max) Stats(List<long> ticks)
    {
        var ms = ticks.Select(t => t * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        double At(double q) => ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(q * ms.Length) - 1)];
        return (At(0.50), At(0.99), ms[^1]);
    }

    /// <summary>Receipt times per round, one slot per client; a round completes when every client has its message.</summary>
    private sealed class Inbox(int clients)
    {
        private readonly ConcurrentDictionary<int, Round> _rounds = new();

        public Round Expect(int id, long t0) => _rounds[id] = new Round(clients, t0);

        public void Received(int id, int client)
        {
            var now = Stopwatch.GetTimestamp();
            if (_rounds.TryGetValue(id, out var r)) r.Set(client, now);
        }

        public sealed class Round(int clients, long t0)
        {
            private readonly long[] _at = new long[clients];
            private int _left = clients;
            private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public void Set(int client, long now)
            {
                if (Interlocked.CompareExchange(ref _at[client], now, 0) == 0 && Interlocked.Decrement(ref _left) == 0) _done.TrySetResult();
            }

            public async Task<long[]> WaitAsync()
            {
                await _done.Task.WaitAsync(TimeSpan.FromSeconds(60));
                return _at.Select(a => a - t0).ToArray();
            }
        }
    }

    private static async Task<int> NextEmergencyIdAsync(NpgsqlDataSource db)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT coalesce(max(id), 0) + 1 FROM emergencies");
    }

    private static async Task<Actor> ActorAsync(NpgsqlDataSource db, string userName)
    {
        await using var conn = await db.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<int>("SELECT id FROM users WHERE user_name = @userName", new { userName });
        var dept = await conn.ExecuteScalarAsync<int?>("SELECT department_id FROM users WHERE id = @id", new { id });
        return new Actor(id, userName, userName, [Roles.Agent], dept);
    }

    private static async Task<EmergencyReport> ReportAsync(NpgsqlDataSource db, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        return new EmergencyReport
        {
            Kind = EmergencyKinds.FireExplosion,
            ProjectId = await conn.ExecuteScalarAsync<int>("SELECT id FROM projects WHERE code = 'CHY'"),
            Location = "3号楼地下车库B2层配电间", OccurredAt = now.AddMinutes(-10),
            Description = "配电间冒烟起火，物业已疏散车库人员并报119，现场有积水。",
            ResponsibleDepartmentId = await conn.ExecuteScalarAsync<int>("SELECT id FROM departments WHERE code = 'PM'"),
        };
    }

    private static async Task ExecAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await conn.ExecuteAsync(sql);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }

    /// <summary>The app, as in production (Hangfire's server off so its polling does not share the CPU), on a loopback port.</summary>
    private sealed class BenchApp(string connectionString) : WebApplicationFactory<global::Program>
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
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("DataProtection:AllowUnencryptedKeys", "true");
            builder.UseSetting("SignIn:RateLimit:PerIp:PermitLimit", "100000"); // every simulated person signs in from 127.0.0.1
        }
    }
}
