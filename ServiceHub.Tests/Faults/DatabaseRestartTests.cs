using System.Net;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Faults;

/// <summary>
/// Issue #16 point 2: PostgreSQL restarted (<c>pg_ctl restart -m fast</c>) while the escalation sweep is in the middle of 1,000 due
/// deadlines. The app goes on serving without a restart of its own; the next sweep escalates every due deadline exactly once.
/// </summary>
[Trait("Category", "faults")]
public sealed class DatabaseRestartTests
{
    private const int Due = 1000;

    [Fact]
    public async Task A_database_restart_during_the_escalation_sweep_loses_nothing_and_the_app_serves_on()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        await cluster.CreateDatabaseAsync("servicehub");
        var cs = cluster.ConnectionString("servicehub");
        var app = await AppOnDatabase.StartAsync(cs, new FakeTimeProvider(TestClock.Start));
        try { await RestartDuringTheSweepAsync(app, cluster, cs); }
        finally { await app.DisposeAsync(); }
    }

    private static async Task RestartDuringTheSweepAsync(AppFactory app, PrivateCluster cluster, string cs)
    {
        using var admin = await app.SignedInClientAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/complaints")).StatusCode);
        var deadlines = await SeedDueAsync(app.Get<NpgsqlDataSource>(), app.Clock.GetUtcNow());

        // Someone holds the timeline table: the sweep has claimed and moved its deadlines and waits to write their events.
        await using var blocker = new NpgsqlConnection(Unpooled(cs));
        await blocker.OpenAsync();
        await using var held = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync("LOCK TABLE complaint_events IN ACCESS EXCLUSIVE MODE", transaction: held);
        var sweep = app.Get<EscalationSweep>().RunAsync();
        await Eventually.WaitAsync(() => SweepWaitingAsync(cs), w => w || sweep.IsCompleted, TimeSpan.FromMinutes(2), "the sweep to wait inside its statement");
        Assert.False(sweep.IsCompleted);

        await cluster.RestartFastAsync();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => sweep); // its transaction died with the server: nothing of it was kept
        Assert.Equal(0, await EscalatedEventsAsync(cs, deadlines));

        // The same app, not restarted, serves on (its dead pooled connections found by their keepalive): the health check, a page
        // that reads, a sign-in.
        await Eventually.WaitAsync(async () => (await admin.GetAsync("/healthz")).StatusCode, s => s == HttpStatusCode.OK,
            TimeSpan.FromSeconds(4 * Microsoft.Extensions.DependencyInjection.DataServiceCollectionExtensions.KeepAliveSeconds), "the app to reach the restarted database");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/complaints")).StatusCode);
        using var agent = await app.SignedInClientAsync("agent");

        Assert.True((await app.Get<EscalationSweep>().RunAsync()).StagesAdvanced >= Due);
        await app.Get<EscalationSweep>().RunAsync(); // a repeat changes nothing
        await using var conn = new NpgsqlConnection(Unpooled(cs));
        await conn.OpenAsync();
        var perDeadline = (await conn.QueryAsync<(long Id, string Stage, int Events)>("""
            SELECT d.id, d.stage, (SELECT count(*)::int FROM complaint_events e WHERE e.complaint_id = d.complaint_id AND e.kind = 'deadline-level1')
            FROM complaint_deadlines d WHERE d.id = ANY (@deadlines)
            """, new { deadlines })).ToList();
        Assert.Equal(Due, perDeadline.Count);
        Assert.All(perDeadline, d => Assert.Equal(("level1", 1), (d.Stage, d.Events)));
        Assert.Equal(Due, await EscalatedEventsAsync(cs, deadlines));
    }

    /// <summary>1,000 dispatched complaints whose reply deadline passed a minute ago (warned already; level 2 still far off).</summary>
    private static async Task<long[]> SeedDueAsync(NpgsqlDataSource db, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        var dept = await conn.ExecuteScalarAsync<int>("SELECT id FROM departments WHERE manager_user_id IS NOT NULL ORDER BY id LIMIT 1");
        var customer = await conn.ExecuteScalarAsync<int>("SELECT min(id) FROM customers");
        var agent = await conn.ExecuteScalarAsync<int>("SELECT id FROM users WHERE user_name = 'agent'");
        long[] deadlines = [.. await conn.QueryAsync<long>("""
            WITH contacts AS (
                INSERT INTO contacts (register_no, channel, kind, customer_id, content, received_at, first_responder_id, created_at)
                SELECT 'RST-' || g, 'phone', 'complaint', @customer, '重启测试', @now - interval '2 hours', @agent, @now FROM generate_series(1, @due) g
                RETURNING id, register_no),
            complaints AS (
                INSERT INTO complaints (sheet_no, contact_id, customer_id, channel, content, department_id, registered_by, registered_at, reply_due_at, updated_at)
                SELECT c.register_no, c.id, @customer, 'phone', '重启测试', @dept, @agent, @now - interval '2 hours', @now - interval '1 minute', @now
                FROM contacts c RETURNING id)
            INSERT INTO complaint_deadlines (complaint_id, kind, starts_at, due_at, warn_at, level2_at, stage, next_at)
            SELECT id, 'reply', @now - interval '2 hours', @now - interval '1 minute', @now - interval '30 minutes', @now + interval '1 day', 'warned', @now - interval '1 minute'
            FROM complaints RETURNING id
            """, new { now, due = Due, dept, customer, agent })];
        // Their state rows were created with them ('registered'): dispatched.
        await conn.ExecuteAsync("""
            UPDATE complaint_states s SET state = 'dispatched' FROM complaints c WHERE c.id = s.complaint_id AND c.sheet_no LIKE 'RST-%'
            """);
        return deadlines;
    }

    private static string Unpooled(string cs) => new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString;

    private static async Task<bool> SweepWaitingAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(Unpooled(cs));
        await conn.OpenAsync();
        return await conn.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%complaint_deadlines%' AND pid <> pg_backend_pid())");
    }

    private static async Task<int> EscalatedEventsAsync(string cs, long[] deadlines)
    {
        await using var conn = new NpgsqlConnection(Unpooled(cs));
        await conn.OpenAsync();
        return await conn.ExecuteScalarAsync<int>("""
            SELECT count(*)::int FROM complaint_events e JOIN complaint_deadlines d ON d.complaint_id = e.complaint_id
            WHERE d.id = ANY (@deadlines) AND e.kind LIKE 'deadline-%'
            """, new { deadlines });
    }
}
