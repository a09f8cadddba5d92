using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;

namespace ServiceHub.Benchmarks;

/// <summary>
/// Issue #7: the KPI dashboard's queries at 1,000,000 complaints in a year (with ~2M timeline events) and 300,000 consultations:
/// a month's figures, a year's figures, the 12-month trend, the four breakdowns and the first page of a drill-down, through
/// <see cref="KpiService"/>, and the month's complaint figures as raw SQL over a bare NpgsqlCommand.
/// </summary>
public static class KpiBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
        var consultations = args.Length > 1 ? int.Parse(args[1]) : 300_000;
        var rounds = args.Length > 2 ? int.Parse(args[2]) : 7;
        await using var db = await BenchDatabase.CreateAsync(Benchmarks.Server(), "kpi");
        var sw = Stopwatch.StartNew();
        await SeedAsync(db, n, consultations);
        Console.Error.WriteLine($"seeded {n:N0} complaints and {consultations:N0} consultations in {sw.Elapsed.TotalSeconds:F0} s");

        var clock = new FakeTimeProvider(BusinessTime.FromLocal(new DateTime(2027, 1, 5, 9, 0, 0)));
        var kpi = new KpiService(db.DataSource, new ComplaintStatistics(db.DataSource), clock);
        var actor = Actor.System;
        var june = KpiQuery.Month(2026, 6);
        var year = KpiQuery.Year(2026);

        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            var plan = await conn.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + KpiSql.Figures(KpiFamily.Complaints, byMonth: false),
                Args(june, clock), commandTimeout: 0);
            Console.Error.WriteLine(string.Join('\n', plan));
            var breakdown = await conn.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + ComplaintStatistics.Sql(StatisticsDimension.RootCause),
                new { june.From, june.To, ProjectId = (int?)null, DepartmentId = (int?)null }, commandTimeout: 0);
            Console.Error.WriteLine(string.Join('\n', breakdown));
            var rollupTrend = await conn.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + KpiRollup.Figures(byMonth: true), Args(year, clock), commandTimeout: 0);
            Console.Error.WriteLine(string.Join('\n', rollupTrend));
        }

        var check = await kpi.FiguresAsync(actor, june);
        Console.Error.WriteLine($"June: {check.Complaints:N0} counted, replies on time {check.ReplyOnTime.Percent}%, consultations {check.ConsultationSatisfaction?.Percent}%");

        Console.WriteLine($"| query ({n:N0} complaints, {consultations:N0} consultations) | median | p95 |");
        Console.WriteLine("|---|---:|---:|");
        await Measure("month figures (app: KpiService.FiguresAsync)", rounds, () => kpi.FiguresAsync(actor, june));
        await Measure("month complaint figures (raw SQL, same statement)", rounds, async () =>
        {
            await using var conn = await db.DataSource.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand(KpiSql.Figures(KpiFamily.Complaints, byMonth: false), conn);
            cmd.Parameters.AddRange(RawArgs(june, clock));
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) { }
        });
        await Measure("month figures, one department", rounds, () => kpi.FiguresAsync(actor, june with { DepartmentId = 3 }));
        await Measure("four breakdowns of the month (ComplaintStatistics)", rounds, async () =>
        {
            foreach (var by in new[] { StatisticsDimension.RootCause, StatisticsDimension.Project, StatisticsDimension.Department, StatisticsDimension.Channel })
                await kpi.BreakdownAsync(actor, june, by);
        });
        await Measure("drill-down page 1 (25) + total, replies late in the month", rounds, () => kpi.ComplaintsAsync(actor, new KpiDrill(june, KpiSet.ReplyLate), 0, 25));
        await Measure("12-month trend (MonthlyAsync, year 2026)", Math.Max(3, rounds / 2), () => kpi.MonthlyAsync(actor, year));
        await Measure("year figures (FiguresAsync, year 2026)", Math.Max(3, rounds / 2), () => kpi.FiguresAsync(actor, year));

        // Issue #14 point 1: the whole dashboard page for a month, as DashboardPage runs it (figures, 12-month trend, four breakdowns,
        // concurrently), from the rollup; beside it, in the same run, the same page read from the rows (the definitions' live SQL,
        // which the page ran before the rollup) and the rollup's month figures over a bare NpgsqlCommand.
        var statistics = new ComplaintStatistics(db.DataSource);
        foreach (var dept in new int?[] { null, 3 })
        {
            var month = june with { DepartmentId = dept };
            var trend = new KpiQuery(new Month(2026, 6).AddMonths(-11).Start, month.To, dept);
            var who = dept is null ? "all departments" : "one department";
            await Measure($"whole dashboard page, June, {who} (rollup)", rounds, () => Task.WhenAll(
            [
                kpi.FiguresAsync(actor, month), kpi.MonthlyAsync(actor, trend),
                .. Breakdowns.Select(by => kpi.BreakdownAsync(actor, month, by)),
            ]));
            await Measure($"whole dashboard page, June, {who} (rows: live SQL of the definitions)", Math.Max(3, rounds / 2), () => Task.WhenAll(
            [
                kpi.FiguresLiveAsync(actor, month), kpi.MonthlyLiveAsync(actor, trend),
                .. Breakdowns.Select(by => statistics.CountLiveAsync(actor, new StatisticsQuery(month.From, month.To, by, DepartmentId: dept))),
            ]));
        }
        await Measure("month complaint figures from the rollup (raw SQL, bare NpgsqlCommand)", rounds, async () =>
        {
            await using var conn = await db.DataSource.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand(KpiRollup.Figures(byMonth: false), conn);
            cmd.Parameters.AddRange(RawArgs(june, clock));
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) { }
        });

        foreach (var family in new[] { KpiFamily.Consultations, KpiFamily.Emergencies })
            await Measure($"12-month trend, {family.ToString().ToLowerInvariant()} only (rows, raw SQL)", rounds, async () =>
            {
                await using var conn = await db.DataSource.OpenConnectionAsync();
                await using var cmd = new NpgsqlCommand(KpiSql.Figures(family, byMonth: true), conn);
                cmd.Parameters.AddRange(RawArgs(new KpiQuery(new Month(2025, 7).Start, june.To), clock));
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync()) { }
            });

        // The write path's price: one complaint reclassified (the statement trigger recomputes its unit and moves the difference).
        var updates = 0;
        Task Reclassify() => db.ExecAsync($"UPDATE complaints SET root_cause_id = (SELECT id FROM root_causes WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET {++updates % 5}) WHERE id = {1000 + updates * 7}");
        await Measure("one complaint reclassified (UPDATE, rollup triggers on)", rounds * 5, Reclassify);
        // A set-based write on a connection that has just written one row (as a pooled connection of the app does): the trigger's
        // statements must not keep a plan made for one row (sql/0202 pairs old and new rows by grouping, never by a join).
        var bulk = Math.Min(20_000, n / 5);
        var bulkRound = 0;
        async Task BulkAfterOne()
        {
            await using var conn = await db.DataSource.OpenConnectionAsync();
            var from = 1 + (bulkRound++ % 4) * bulk;
            await conn.ExecuteAsync($"UPDATE complaints SET escalation_level = (escalation_level + 1) % 3 WHERE id = {from}", commandTimeout: 0);
            await conn.ExecuteAsync($"UPDATE complaints SET escalation_level = (escalation_level + 1) % 3 WHERE id BETWEEN {from} AND {from + bulk - 1}", commandTimeout: 0);
        }
        await Measure($"one complaint escalated, then {bulk:N0} in one statement, same connection (rollup triggers on)", 3, BulkAfterOne);
        // Off: both of the rollup's update triggers, the complaints' and the state rows' ("closed": a closed complaint reclassified moves
        // its key through the state row's copy, sql/0310); the copy itself stays (it is the state rows' index, not the rollup).
        await db.ExecAsync("ALTER TABLE complaints DISABLE TRIGGER complaints_kpi_update; ALTER TABLE complaint_states DISABLE TRIGGER complaint_states_kpi_update");
        await Measure("one complaint reclassified (UPDATE, rollup triggers off)", rounds * 5, Reclassify);
        await Measure($"one complaint escalated, then {bulk:N0} in one statement, same connection (rollup triggers off)", 3, BulkAfterOne);
        await db.ExecAsync("ALTER TABLE complaints ENABLE TRIGGER complaints_kpi_update; ALTER TABLE complaint_states ENABLE TRIGGER complaint_states_kpi_update");
        return 0;
    }

    private static readonly StatisticsDimension[] Breakdowns =
        [StatisticsDimension.RootCause, StatisticsDimension.Project, StatisticsDimension.Department, StatisticsDimension.Channel];

    private static object Args(KpiQuery q, TimeProvider clock) => new
    {
        q.From, q.To, DepartmentId = (int?)null, ProjectId = (int?)null, Now = clock.GetUtcNow(),
    };

    private static NpgsqlParameter[] RawArgs(KpiQuery q, TimeProvider clock) =>
    [
        new("From", q.From), new("To", q.To), new("DepartmentId", NpgsqlTypes.NpgsqlDbType.Integer) { Value = DBNull.Value },
        new("ProjectId", NpgsqlTypes.NpgsqlDbType.Integer) { Value = DBNull.Value }, new("Now", clock.GetUtcNow()),
    ];

    private static async Task Measure(string name, int rounds, Func<Task> action)
    {
        await action(); // warm
        var times = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            var sw = Stopwatch.StartNew();
            await action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"| {name} | {Stats.Median(times):F0} ms | {Stats.Percentile(times, 95):F0} ms |");
    }

    private static async Task SeedAsync(BenchDatabase db, int n, int consultations)
    {
        // A year of complaints (2026, business time): ~2% not counted, ~1% merged, 5% open, escalations, repeats, extensions.
        await db.ExecAsync($"""
            INSERT INTO departments (code, name, name_en) SELECT 'D' || g, '部门' || g, 'Dept ' || g FROM generate_series(1, 10) g;
            INSERT INTO users (user_name, display_name, password_hash, roles, department_id) VALUES ('bench', 'bench', 'x', ARRAY['agent'], 1);
            INSERT INTO projects (code, name) SELECT 'P' || g, '项目' || g FROM generate_series(1, 30) g;
            INSERT INTO customers (name, phone) SELECT '客户' || g, '139' || lpad(g::text, 8, '0') FROM generate_series(1, 50000) g;
            ALTER TABLE complaint_events DISABLE TRIGGER complaint_events_no_update;
            ALTER TABLE complaints DISABLE TRIGGER complaints_kpi_insert; -- the rollups are built once below, timed
            ALTER TABLE complaint_states DISABLE TRIGGER complaint_states_kpi_update; -- likewise the "closed" of the states set below
            ALTER TABLE contacts DISABLE TRIGGER contacts_kpi_consultation_insert;
            CREATE TEMP TABLE g AS
                SELECT g, timestamptz '2026-01-01 00:00+08' + (g::bigint * 31536000 / {n})::float8 * interval '1 second' AS reg FROM generate_series(1, {n}) g;
            INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, content, received_at, first_responder_id, created_at)
                SELECT 'LD-K-' || g, (ARRAY['phone','visit','letter','email','forum','media','forwarded'])[1 + g % 7], 'complaint', 1 + g % 50000, 1 + g % 30,
                       '投诉内容', reg, 1, reg FROM g;
            INSERT INTO complaints (sheet_no, contact_id, customer_id, project_id, channel, content, urgency_minutes, department_id, registered_by,
                                    registered_at, dispatched_at, contact_due_at, contacted_at, reply_due_at, handled_at, escalation_level, updated_at,
                                    root_cause_id, counted, count_reason, merged_into_id, repeat_of_complaint_id)
                SELECT 'FY-K-' || g, g, 1 + g % 50000, 1 + g % 30, (ARRAY['phone','visit','letter','email','forum','media','forwarded'])[1 + g % 7], '投诉内容',
                       30, 1 + (g / 7) % 10, 1,
                       reg, reg, reg + interval '30 minutes', reg + (g % 40) * interval '1 minute', reg + interval '48 hours',
                       CASE WHEN g % 20 <> 0 THEN reg + (g % 60) * interval '1 hour' END,
                       CASE WHEN g % 90 = 0 THEN 2 WHEN g % 30 = 0 THEN 1 ELSE 0 END, reg,
                       (ARRAY(SELECT id FROM root_causes WHERE parent_id IS NOT NULL ORDER BY id))[1 + g % 13],
                       CASE WHEN g % 50 = 0 THEN false WHEN g % 51 = 0 THEN NULL ELSE true END, CASE WHEN g % 50 = 0 THEN '重复' END,
                       CASE WHEN g % 97 = 0 THEN g - 1 END, CASE WHEN g % 40 = 0 THEN g - 1 END
                FROM g;
            -- The states, one statement over the state rows the complaints were registered with (sql/0310): 5% open, the rest closed.
            UPDATE complaint_states s SET state = CASE WHEN g.g % 20 = 0 THEN 'contacted' ELSE 'closed' END,
                                          closed_at = CASE WHEN g.g % 20 <> 0 THEN g.reg + interval '5 days' END
            FROM g WHERE s.complaint_id = g.g;
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details) SELECT g, reg, 'bench', 'registered', '' FROM g;
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details, deadline_before, deadline_after)
                SELECT g, reg + interval '40 hours', 'bench', 'extended', '', reg + interval '48 hours', reg + interval '72 hours' FROM g WHERE g % 100 = 3;
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details) SELECT g, reg + (g % 60) * interval '1 hour', 'bench', 'handled', '' FROM g WHERE g % 20 <> 0;
            INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, content, answer, satisfied, received_at, first_responder_id, created_at)
                SELECT 'LD-Q-' || g, 'phone', 'consultation', 1 + g % 50000, 1 + g % 30, '咨询', '答复', g % 11 <> 0,
                       timestamptz '2026-01-01 00:00+08' + (g::bigint * 31536000 / {consultations})::float8 * interval '1 second', 1, now()
                FROM generate_series(1, {consultations}) g;
            INSERT INTO emergencies (kind, project_id, location, occurred_at, description, responsible_department_id, reported_by, reported_at, on_site_due_at,
                                     state, arrived_at, arrived_by, cause, scope, response)
                SELECT 'fire_explosion', 1 + g % 30, '1号楼', t, '起火', 1 + g % 10, 1, t, t + interval '2 hours', 'on_site', t + (30 + g % 120) * interval '1 minute', 1, '原因', '范围', '处置'
                FROM (SELECT g, timestamptz '2026-01-01 00:00+08' + g * interval '17 hours' AS t FROM generate_series(1, 500) g) x;
            """);
        var rollup = Stopwatch.StartNew();
        await db.ExecAsync("""
            ALTER TABLE complaints ENABLE TRIGGER complaints_kpi_insert; ALTER TABLE complaint_states ENABLE TRIGGER complaint_states_kpi_update;
            SELECT kpi_rebuild_complaints()
            """);
        Console.Error.WriteLine($"KPI rollup built from {n:N0} complaints in {rollup.Elapsed.TotalSeconds:F1} s (kpi_rebuild_complaints, sql/0202; \"closed\" from the state rows, sql/0310)");
        rollup.Restart();
        await db.ExecAsync("ALTER TABLE contacts ENABLE TRIGGER contacts_kpi_consultation_insert; SELECT kpi_rebuild_consultations()");
        Console.Error.WriteLine($"KPI consultation rollup built from {consultations:N0} consultations in {rollup.Elapsed.TotalSeconds:F1} s (kpi_rebuild_consultations)");
        await db.ExecAsync("VACUUM ANALYZE");
    }
}
