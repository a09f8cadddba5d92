using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Benchmarks;

/// <summary>
/// Issue #3: the escalation sweep with 1,000 items due and the first page of a department queue, at 100k and 1M complaints,
/// each through the app's path (repository, Dapper) and as the same SQL over a bare NpgsqlCommand; and the sweep raising 1,000
/// complaints to escalation level 1 with the KPI rollup's trigger on and off (issue #14 point 1).
/// </summary>
public static class ComplaintDeskBenchmark
{
    private const int Due = 1000;

    public static async Task<int> RunCommandAsync(string[] args)
    {
        await RunAsync(Benchmarks.Server(), args.Select(int.Parse).ToArray());
        return 0;
    }

    public static async Task RunAsync(string server, int[] sizes)
    {
        if (sizes.Length == 0) sizes = [100_000, 1_000_000];
        var levels = new List<string>();
        var queues = new List<string>();
        Console.WriteLine("| complaints | sweep, 1,000 due: app median / p95 | raw SQL median | ratio | queue page 1: app p50 / p95 | raw SQL p95 | ratio |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var n in sizes)
        {
            await using var db = await BenchDatabase.CreateAsync(server, $"c{n}");
            var sw = Stopwatch.StartNew();
            await SeedAsync(db, n);
            Console.Error.WriteLine($"seeded {n:N0} complaints in {sw.Elapsed.TotalSeconds:F0} s");
            // 1,000 due, or every open deadline when a small seed has fewer (10% of the complaints are open, 5% dispatched).
            int due;
            await using (var conn = await db.DataSource.OpenConnectionAsync())
            await using (var count = new NpgsqlCommand("SELECT count(*)::int FROM bench_due", conn))
                due = (int)(await count.ExecuteScalarAsync())!;

            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var sweep = new EscalationSweep(db.DataSource, clock, Options.Create(new ComplaintOptions()));
            var app = new List<double>();
            var raw = new List<double>();
            var commits = new List<double>();
            for (var i = 0; i < 12; i++)
            {
                await MakeDueAsync(db);
                sw.Restart();
                var r = await sweep.RunOnceAsync();
                sw.Stop();
                if (r.StagesAdvanced != due) throw new InvalidOperationException($"sweep moved {r.StagesAdvanced}, expected {due}");
                if (i >= 2) app.Add(sw.Elapsed.TotalMilliseconds);

                await MakeDueAsync(db);
                sw.Restart();
                await using (var conn = await db.DataSource.OpenConnectionAsync())
                await using (var tx = await conn.BeginTransactionAsync())
                {
                    await using var cmd = new NpgsqlCommand(EscalationSweep.SweepSql, conn, tx);
                    cmd.Parameters.AddWithValue("now", clock.GetUtcNow());
                    cmd.Parameters.AddWithValue("batch", EscalationSweep.BatchSize);
                    cmd.Parameters.AddWithValue("complaintDept", "CS");
                    await using (var reader = await cmd.ExecuteReaderAsync()) { await reader.ReadAsync(); }
                    var statement = sw.Elapsed.TotalMilliseconds;
                    await tx.CommitAsync();
                    if (i >= 2) commits.Add(sw.Elapsed.TotalMilliseconds - statement);
                }
                sw.Stop();
                if (i >= 2) raw.Add(sw.Elapsed.TotalMilliseconds);
            }

            Console.Error.WriteLine($"-- the sweep at {n:N0} complaints: the raw run's commit (WAL flush) median {Stats.Median(commits):F1} ms of {Stats.Median(raw):F1} ms");
            // Where the sweep's time goes at this size: the plan of one 1,000-due sweep with its triggers (rolled back), on stderr.
            await MakeDueAsync(db);
            await using (var conn = await db.DataSource.OpenConnectionAsync())
            await using (var tx = await conn.BeginTransactionAsync())
            {
                var plan = await Dapper.SqlMapper.QueryAsync<string>(conn, new Dapper.CommandDefinition("EXPLAIN (ANALYZE, BUFFERS) " + EscalationSweep.SweepSql,
                    new { now = clock.GetUtcNow(), batch = EscalationSweep.BatchSize, complaintDept = "CS" }, tx, commandTimeout: 0));
                Console.Error.WriteLine($"-- the sweep at {n:N0} complaints, EXPLAIN (ANALYZE, BUFFERS):");
                foreach (var line in plan) Console.Error.WriteLine(line);
                await tx.RollbackAsync();
            }

            var repo = new ComplaintRepository(db.DataSource, new ServiceHub.Data.Admin.AuditLog(db.DataSource, clock));
            // The queue right after a vacuum (every page all-visible), then as a live table is between two vacuums: sql/0240 has
            // autovacuum clean complaints after 0.2% + 1,000 changed rows, so up to 3,000 rows at 1,000,000 may have changed since the
            // last one. The worst case for the queue's index-only total: all of them in the queue (their pages lose the all-visible mark).
            var (qApp, qRaw) = await MeasureQueueAsync(db, repo);
            var changed = await ChangeQueueRowsAsync(db, n);
            var (dApp, dRaw) = await MeasureQueueAsync(db, repo);
            queues.Add($"| {n:N0} | {Stats.Median(qApp):F2} / {Stats.Percentile(qApp, 95):F2} ms | {Stats.Percentile(qRaw, 95):F2} ms | {Stats.Percentile(qApp, 95) / Stats.Percentile(qRaw, 95):F2} | " +
                       $"{changed:N0} | {Stats.Median(dApp):F2} / {Stats.Percentile(dApp, 95):F2} ms | {Stats.Percentile(dRaw, 95):F2} ms | {Stats.Percentile(dApp, 95) / Stats.Percentile(dRaw, 95):F2} |");

            Console.WriteLine($"| {n:N0}{(due < Due ? $" ({due:N0} due)" : "")} | {Stats.Median(app):F1} / {Stats.Percentile(app, 95):F1} ms | {Stats.Median(raw):F1} ms | {Stats.Median(app) / Stats.Median(raw):F2} | " +
                              $"{Stats.Median(qApp):F2} / {Stats.Percentile(qApp, 95):F2} ms | {Stats.Percentile(qRaw, 95):F2} ms | {Stats.Percentile(qApp, 95) / Stats.Percentile(qRaw, 95):F2} |");

            // Issue #14 point 1, the KPI rollup's price on the sweep: the 1,000 due above move pending → warned and change no
            // complaint; here 1,000 deadlines move warned → level 1, so the sweep raises 1,000 complaints' escalation level (a KPI
            // column) and the rollup trigger (sql/0200_kpi_rollup.sql) moves their figures. Timed with the trigger on and, alternately
            // in the same run, off (as before the rollup).
            // 1,000, or what a small seed leaves beside the first part's due deadlines (none below ~11,000 complaints: then skipped).
            int level1;
            await using (var conn = await db.DataSource.OpenConnectionAsync())
            await using (var count = new NpgsqlCommand("SELECT count(*)::int FROM bench_level1", conn))
                level1 = (int)(await count.ExecuteScalarAsync())!;
            if (level1 == 0)
            {
                levels.Add($"| {n:N0} | (no reply deadline left beside the first part's {due:N0} due: not measured) | | |");
                continue;
            }
            var on = new List<double>();
            var off = new List<double>();
            for (var i = 0; i < 40; i++)
            {
                var triggerOn = i % 2 == 0;
                await MakeLevel1DueAsync(db);
                if (!triggerOn) await db.ExecAsync("ALTER TABLE complaints DISABLE TRIGGER complaints_kpi_update");
                sw.Restart();
                var r = await sweep.RunOnceAsync();
                sw.Stop();
                if (!triggerOn) await db.ExecAsync("ALTER TABLE complaints ENABLE TRIGGER complaints_kpi_update");
                if (r.StagesAdvanced != level1) throw new InvalidOperationException($"sweep moved {r.StagesAdvanced} to level 1, expected {level1}");
                if (i >= 4) (triggerOn ? on : off).Add(sw.Elapsed.TotalMilliseconds);
            }
            // The trigger's share of the same sweep statement, from EXPLAIN ANALYZE (rolled back).
            var share = new List<(double Execution, double Trigger)>();
            for (var i = 0; i < 5; i++)
            {
                await MakeLevel1DueAsync(db);
                await using var conn = await db.DataSource.OpenConnectionAsync();
                await using var tx = await conn.BeginTransactionAsync();
                share.Add(await TriggerShare.MeasureAsync(conn, tx, EscalationSweep.SweepSql,
                    new { now = clock.GetUtcNow(), batch = EscalationSweep.BatchSize, complaintDept = "CS" }, "complaints_kpi_update"));
                await tx.RollbackAsync();
            }
            levels.Add($"| {n:N0}{(level1 < Due ? $" ({level1:N0} due)" : "")} | {Stats.Median(on):F1} / {Stats.Percentile(on, 95):F1} ms | {Stats.Median(off):F1} / {Stats.Percentile(off, 95):F1} ms | " +
                       $"{Stats.Median(share.Select(x => x.Trigger).ToList()):F1} of {Stats.Median(share.Select(x => x.Execution).ToList()):F1} ms |");
        }
        Console.WriteLine();
        Console.WriteLine("| complaints | queue page 1 with its total, just vacuumed: app p50 / p95 | raw page SQL p95 | ratio | queue rows changed since the vacuum | then: app p50 / p95 | raw page SQL p95 | ratio |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var line in queues) Console.WriteLine(line);
        Console.WriteLine();
        Console.WriteLine("| complaints | sweep, 1,000 due to level 1 (1,000 complaints' escalation level raised): KPI trigger on, median / p95 | trigger off | the trigger's time in the statement (EXPLAIN ANALYZE, median of 5) |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var line in levels) Console.WriteLine(line);
    }

    /// <summary>
    /// The first page of 10 departments' queues (25 rows, most urgent first) with its total through the repository, and the same page SQL
    /// over a bare NpgsqlCommand: 200 requests each after 20 warm-ups.
    /// </summary>
    private static async Task<(List<double> App, List<double> Raw)> MeasureQueueAsync(BenchDatabase db, ComplaintRepository repo)
    {
        var actor = new Actor(1, "bench", "bench", ["cs_supervisor"], null);
        var app = new List<double>();
        var raw = new List<double>();
        var sw = new Stopwatch();
        for (var i = 0; i < 220; i++)
        {
            var dept = 1 + i % 10;
            sw.Restart();
            var page = await repo.QueueAsync(actor, new QueueFilter(dept), 0, 25);
            sw.Stop();
            if (page.Items.Count == 0) throw new InvalidOperationException("empty queue");
            if (i >= 20) app.Add(sw.Elapsed.TotalMilliseconds);

            sw.Restart();
            await using (var conn = await db.DataSource.OpenConnectionAsync())
            await using (var cmd = new NpgsqlCommand(ComplaintRepository.QueuePageSql, conn))
            {
                cmd.Parameters.AddWithValue("DepartmentId", dept);
                cmd.Parameters.Add(new NpgsqlParameter("ProjectId", NpgsqlTypes.NpgsqlDbType.Integer) { Value = DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter("UrgencyMinutes", NpgsqlTypes.NpgsqlDbType.Integer) { Value = DBNull.Value });
                cmd.Parameters.Add(new NpgsqlParameter("State", NpgsqlTypes.NpgsqlDbType.Text) { Value = DBNull.Value });
                cmd.Parameters.AddWithValue("Skip", 0);
                cmd.Parameters.AddWithValue("Take", 25);
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync()) { }
            }
            sw.Stop();
            if (i >= 20) raw.Add(sw.Elapsed.TotalMilliseconds);
        }
        return (app, raw);
    }

    /// <summary>
    /// Changes queue rows as a day's work does (a note, an agreed time: <c>updated_at</c>; a first contact confirmed: the state row), as
    /// many as autovacuum lets change before it cleans the tables (sql/0240 and sql/0310: 0.2% of the rows + 1,000, less one), all of
    /// them in the queue, each complaint and its state row (the queue's index and its index-only total are on the state rows since
    /// sql/0310: their pages lose the all-visible mark); returns how many. Autovacuum is left on.
    /// </summary>
    private static async Task<int> ChangeQueueRowsAsync(BenchDatabase db, int n)
    {
        var rows = n / 500 + 999;
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"""
            WITH changed AS (
                UPDATE complaints SET updated_at = now()
                WHERE id IN (SELECT c.id FROM complaints c {ComplaintSql.JoinState} WHERE {ComplaintSql.InQueue} ORDER BY hashint8(c.id) LIMIT {rows})
                RETURNING id
            )
            UPDATE complaint_states SET state = state WHERE complaint_id IN (SELECT id FROM changed)
            """, conn);
        return await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Puts 1,000 warned reply deadlines of 1,000 open complaints at "due now", their complaints back at escalation level 0 (through the
    /// rollup trigger), and forgets what the previous sweep recorded; the first part's 1,000 are parked so that only these are due.
    /// </summary>
    private static async Task MakeLevel1DueAsync(BenchDatabase db) => await db.ExecAsync("""
        DELETE FROM notifications WHERE kind = 'escalation';
        DELETE FROM department_notifications WHERE kind = 'escalation';
        DELETE FROM complaint_events WHERE dedupe_key IS NOT NULL;
        UPDATE complaints SET escalation_level = 0
        WHERE id IN (SELECT d.complaint_id FROM complaint_deadlines d JOIN bench_level1 b ON b.id = d.id) AND escalation_level <> 0;
        UPDATE complaint_deadlines SET stage = 'warned', next_at = now() - interval '1 day'
        WHERE id IN (SELECT id FROM bench_level1);
        UPDATE complaint_deadlines SET stage = 'pending', next_at = now() + interval '1 day'
        WHERE id IN (SELECT id FROM bench_due) AND next_at < now() + interval '1 hour';
        """);

    /// <summary>Resets 1,000 open deadlines to "due now" and forgets what the previous sweep recorded for them.</summary>
    private static async Task MakeDueAsync(BenchDatabase db) => await db.ExecAsync($"""
        DELETE FROM notifications WHERE kind = 'escalation';
        DELETE FROM department_notifications WHERE kind = 'escalation';
        DELETE FROM complaint_events WHERE dedupe_key IS NOT NULL;
        UPDATE complaint_deadlines SET stage = 'pending', next_at = now() - interval '1 minute'
        WHERE id IN (SELECT id FROM bench_due);
        """);

    private static async Task SeedAsync(BenchDatabase db, int n)
    {
        // The events table is append-only by trigger: the benchmark database lifts it to replay the same 1,000 escalations.
        await db.ExecAsync($"""
            INSERT INTO departments (code, name, name_en) VALUES ('CS', '客户服务部', 'CS');
            INSERT INTO departments (code, name, name_en) SELECT 'D' || g, '部门' || g, 'Dept ' || g FROM generate_series(2, 10) g;
            INSERT INTO users (user_name, display_name, password_hash, roles, department_id)
                SELECT 'u' || g, '用户' || g, 'x', ARRAY['handler','dept_manager'], 1 + g % 10 FROM generate_series(1, 60) g;
            UPDATE departments SET manager_user_id = id, supervising_vp_id = id + 20;
            INSERT INTO projects (code, name) VALUES ('P1', '翠湖苑'), ('P2', '金泰城'), ('P3', '西山御园');
            INSERT INTO customers (name, phone) SELECT '客户' || g, '139' || lpad(g::text, 8, '0') FROM generate_series(1, 20000) g;
            ALTER TABLE complaint_events DISABLE TRIGGER complaint_events_no_update;

            INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, content, received_at, first_responder_id, created_at)
                SELECT 'LD-B-' || g, 'phone', 'complaint', 1 + g % 20000, 1 + g % 3, '投诉内容 ' || g,
                       now() - (g % 365) * interval '1 day', 1, now()
                FROM generate_series(1, {n}) g;
            INSERT INTO complaints (sheet_no, contact_id, customer_id, project_id, channel, content, urgency_minutes, department_id,
                                    registered_by, registered_at, dispatched_at, contact_due_at, reply_due_at, handled_at, current_due_at, updated_at, root_cause_id, counted)
                SELECT 'FY-B-' || g, g, 1 + g % 20000, 1 + g % 3, 'phone', '投诉内容 ' || g,
                       (ARRAY[15,30,60,120])[1 + (g / 20) % 4], 1 + (g / 20) % 10, 1,
                       now() - (g % 365) * interval '1 day', now() - (g % 365) * interval '1 day', now() + (g % 500) * interval '1 minute',
                       now() + (g % 2000) * interval '1 minute',
                       CASE WHEN g % 20 > 1 THEN now() - (g % 300) * interval '1 day' END,
                       CASE WHEN g % 20 <= 1 THEN now() + (g % 500) * interval '1 minute' END,
                       now(),
                       CASE WHEN g % 20 > 1 THEN (SELECT min(id) FROM root_causes WHERE parent_id IS NOT NULL) END, true
                FROM generate_series(1, {n}) g;
            -- The states, in one statement over the state rows the complaints were registered with (sql/0310): of every 20th
            -- complaint (by its contact, g) one dispatched and one contacted, the rest closed.
            UPDATE complaint_states s
            SET state = CASE WHEN c.contact_id % 20 = 0 THEN 'dispatched' WHEN c.contact_id % 20 = 1 THEN 'contacted' ELSE 'closed' END,
                closed_at = CASE WHEN c.contact_id % 20 > 1 THEN now() - (c.contact_id % 290) * interval '1 day' END,
                close_reason = CASE WHEN c.contact_id % 20 > 1 THEN 'auto-one-week' END
            FROM complaints c WHERE c.id = s.complaint_id;
            INSERT INTO complaint_deadlines (complaint_id, kind, starts_at, due_at, warn_at, level2_at, stage, next_at, active)
                SELECT c.id, 'reply', c.registered_at, c.reply_due_at, c.reply_due_at - interval '9 hours', c.reply_due_at + interval '30 minutes',
                       'pending', CASE WHEN st.state IN ('dispatched','contacted') THEN c.reply_due_at - interval '9 hours' END,
                       st.state IN ('dispatched','contacted')
                FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id;
            INSERT INTO complaint_deadlines (complaint_id, kind, starts_at, due_at, warn_at, level2_at, stage, next_at, active)
                SELECT c.id, 'contact', c.dispatched_at, c.contact_due_at, c.contact_due_at - interval '5 minutes', c.contact_due_at + interval '30 minutes',
                       'pending', CASE WHEN st.state = 'dispatched' THEN c.contact_due_at + interval '1 day' END, st.state = 'dispatched'
                FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id;
            UPDATE complaint_deadlines SET next_at = now() + interval '1 day' WHERE next_at IS NOT NULL AND next_at < now() + interval '1 hour';
            -- 1% of the open complaints (1,000 at 1,000,000) merged into another open one (counting rule 3): out of the queue and its total.
            UPDATE complaints SET merged_into_id = id - 20
            WHERE id % 1000 = 0 AND id IN (SELECT complaint_id FROM complaint_states WHERE state = 'dispatched');
            UPDATE complaint_deadlines SET active = false, next_at = NULL
            WHERE complaint_id IN (SELECT id FROM complaints WHERE merged_into_id IS NOT NULL);
            CREATE TABLE bench_due AS SELECT id FROM complaint_deadlines WHERE next_at IS NOT NULL ORDER BY id LIMIT {Due};
            CREATE TABLE bench_level1 AS SELECT id FROM complaint_deadlines
                WHERE kind = 'reply' AND active AND id NOT IN (SELECT id FROM bench_due) ORDER BY id DESC LIMIT {Due};
            """);
        await db.ExecAsync("VACUUM ANALYZE");
        // The seed's pages written out now, not by the checkpointer while the sweeps are timed: at 1,000,000 complaints that is
        // gigabytes, and each sweep's commit (a WAL flush) queued behind it — what made 1M slower than 100k, not the sweep.
        await db.ExecAsync("CHECKPOINT");
    }
}
