using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.ReturnVisits;

namespace ServiceHub.Benchmarks;

/// <summary>
/// Issue #14 (issue #5 set ≤ 2 s): the one-week auto-closure over 1,000,000 complaints of which 50,000 are eligible must finish in ≤ 1 s.
/// Each round resets the 50,000 closures, then times, on the same data, (1) the raw-SQL baseline — one plain UPDATE … RETURNING
/// feeding the event INSERT, in one transaction, no batching, no lock, rolled back — and (2) the product's
/// <see cref="ClosureSweep.RunAsync"/> (batches, advisory lock, SKIP LOCKED, reminders, the awaiting-classification count), committed;
/// then (3) the sweep again, which must close nothing. Each round does this twice: with the KPI rollup's trigger on the state rows
/// (<c>complaint_states_kpi_update</c>, sql/0310: the closure writes only the narrow state row) and off.
/// The complaints are counted (verified), so each closure moves the rollup's "closed" figure.
/// </summary>
public static class AutoClosureBenchmark
{
    /// <summary>Issue #14's target for 50,000 eligible among 1,000,000.</summary>
    private const int TargetMs = 1000;

    /// <summary>The app's closure statement (<see cref="ComplaintLifecycle.AutoCloseSql"/>) without its batch: the state rows, then the events.</summary>
    private const string Baseline = """
        WITH closed AS (
            UPDATE complaint_states st SET state = 'closed', closed_at = @now, close_reason = 'auto-one-week'
            WHERE st.state = 'handled' AND st.handled_at <= @cutoff AND NOT st.needs_return_visit AND st.root_cause_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM complaints r WHERE r.repeat_of_complaint_id = st.complaint_id AND r.registered_at >= st.handled_at)
            RETURNING st.complaint_id AS id
        ), events AS (
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details)
            SELECT id, @now, 'system', 'closed', 'auto-one-week' FROM closed
        )
        SELECT count(*)::int FROM closed
        """;

    public static async Task<int> RunAsync(string cs, string[] args)
    {
        var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var eligible = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50_000;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var byTime = (args.Length > 3 ? args[3] : "time") != "scattered";
        if (eligible % 50 != 0) throw new ArgumentException("eligible must be a multiple of 50");
        var now = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        var cutoff = Closure.AutoCloseCutoff(now);

        var sw = Stopwatch.StartNew();
        await BenchDatabase.RecreateAsync(cs);
        await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cs) { CommandTimeout = 600 }.ConnectionString);
        await SeedAsync(db, total, eligible, byTime, now);
        Console.WriteLine($"seeded {total:N0} complaints ({eligible:N0} eligible, layout {(byTime ? "time" : "scattered")}) in {sw.Elapsed.TotalSeconds:F1} s");

        var sweep = new ClosureSweep(db, new FixedClock(now));
        // Each round runs twice: with the KPI rollup's trigger on the state rows (sql/0200_kpi_rollup.sql, issue #14 point 1; on
        // complaint_states since sql/0310) and, in the same round on the same data, with it off, as before the rollup.
        var baseline = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        var product = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        var repeat = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        var share = new List<(double Execution, double Trigger)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var trigger in new[] { true, false })
            {
                await ResetAsync(db);
                await SetKpiTriggerAsync(db, trigger);
                await using (var conn = await db.OpenConnectionAsync())
                await using (var tx = await conn.BeginTransactionAsync())
                {
                    sw.Restart();
                    var n = await conn.ExecuteScalarAsync<int>(new CommandDefinition(Baseline, new { now, cutoff }, tx));
                    baseline[trigger].Add(sw.Elapsed.TotalMilliseconds);
                    await tx.RollbackAsync();
                    if (n != eligible) throw new InvalidOperationException($"baseline closed {n}, expected {eligible}");
                }
                if (trigger)
                {
                    // The trigger's share of one closure batch (the product's statement, 50,000 rows), from EXPLAIN ANALYZE, rolled back.
                    await using var conn = await db.OpenConnectionAsync();
                    await using var tx = await conn.BeginTransactionAsync();
                    share.Add(await TriggerShare.MeasureAsync(conn, tx, ComplaintLifecycle.AutoCloseSql, new { now, cutoff, batch = ClosureSweep.BatchSize },
                        KpiTrigger));
                    await tx.RollbackAsync();
                }
                await VacuumAsync(db);

                sw.Restart();
                var r = await sweep.RunAsync();
                product[trigger].Add(sw.Elapsed.TotalMilliseconds);
                if (r.ClosedOneWeek != eligible) throw new InvalidOperationException($"sweep closed {r.ClosedOneWeek}, expected {eligible}");

                sw.Restart();
                var again = await sweep.RunAsync();
                repeat[trigger].Add(sw.Elapsed.TotalMilliseconds);
                await SetKpiTriggerAsync(db, true);
                if (again.ClosedOneWeek != 0) throw new InvalidOperationException("the second run closed something");
                Console.WriteLine($"round {round}, KPI trigger {(trigger ? "on" : "off")}: baseline {baseline[trigger][^1]:F0} ms, ClosureSweep {product[trigger][^1]:F0} ms " +
                                  $"(closed {r.ClosedOneWeek:N0}, awaiting classification {r.AwaitingClassification:N0}), second run {repeat[trigger][^1]:F0} ms (closed 0)");
            }
        }
        foreach (var trigger in new[] { true, false })
            Console.WriteLine($"median, KPI trigger {(trigger ? "on" : "off")}: baseline {Median(baseline[trigger]):F0} ms, ClosureSweep {Median(product[trigger]):F0} ms, " +
                              $"second run {Median(repeat[trigger]):F0} ms");
        Console.WriteLine($"the KPI trigger's time in one closure batch of {ClosureSweep.BatchSize:N0} (EXPLAIN ANALYZE, median): " +
                          $"{Median(share.Select(x => x.Trigger).ToList()):F0} of {Median(share.Select(x => x.Execution).ToList()):F0} ms");
        // The target is set for 50,000 eligible (issue #14: ≤ 1 s, issue #5's was ≤ 2 s); other sizes are measured, not judged.
        var judged = eligible == 50_000;
        var met = Median(product[true]) <= TargetMs;
        Console.WriteLine(judged ? $"target ≤ {TargetMs} ms (KPI trigger on): {(met ? "met" : "NOT met")}" : $"(the target ≤ {TargetMs} ms is for 50,000 eligible, not {eligible:N0})");
        return !judged || met ? 0 : 1;
    }

    /// <summary>The KPI rollup's trigger that a closure fires: on updates of the state rows ("closed", sql/0310).</summary>
    private const string KpiTrigger = "complaint_states_kpi_update";

    /// <summary>The KPI rollup's trigger on state-row updates on or off (off: the write path as before the rollup, which it then misses).</summary>
    private static Task SetKpiTriggerAsync(NpgsqlDataSource db, bool on) =>
        ExecAsync(db, $"ALTER TABLE complaint_states {(on ? "ENABLE" : "DISABLE")} TRIGGER {KpiTrigger}");

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static async Task ExecAsync(NpgsqlDataSource db, string sql, object? args = null)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync(new CommandDefinition(sql, args, commandTimeout: 600));
    }

    private static async Task VacuumAsync(NpgsqlDataSource db)
    {
        await ExecAsync(db, "VACUUM ANALYZE complaints");
        await ExecAsync(db, "VACUUM ANALYZE complaint_states");
        await ExecAsync(db, "VACUUM ANALYZE complaint_events");
    }

    /// <summary>
    /// Reopens the benchmark's closures (events are append-only: their trigger is bypassed for this session only; the reopening goes
    /// through the KPI rollup's trigger, so the rollup follows the rows).
    /// </summary>
    private static async Task ResetAsync(NpgsqlDataSource db)
    {
        await ExecAsync(db, """
            SET session_replication_role = replica;
            DELETE FROM complaint_events WHERE kind = 'closed';
            RESET session_replication_role;
            UPDATE complaint_states SET state = 'handled', closed_at = NULL, close_reason = NULL WHERE close_reason = 'auto-one-week';
            """);
        await VacuumAsync(db);
    }

    /// <summary>
    /// <paramref name="total"/> complaints (1,000,000), <paramref name="eligible"/> of them (50,000) handled 8 days ago without a return
    /// visit and classified. Layout "time" (by registration, newest first): a block of handled-8-days-ago complaints, each 61 of them 50
    /// eligible, 10 unclassified and 1 with a repeat complaint inside the week (so the block is eligible × 61/50); beside it as many (or, when
    /// the total is too small for that, an equal share of what is left) handled 2 days ago, handled 10 days ago needing a return visit, and
    /// in progress; the rest closed long ago. Layout "scattered": every (total / eligible)th complaint eligible, its neighbours in the other
    /// groups, 1% unclassified and 0.1% repeated among the rest. One timeline event per complaint; each repeat complaint has its own contact.
    /// The complaints are inserted without their state (each gets its state row, 'registered', from the trigger of sql/0310), then every
    /// state set in one statement from the state rows' copy of the handling time: none, in progress; 30 days ago or more, closed long ago.
    /// </summary>
    private static async Task SeedAsync(NpgsqlDataSource db, int total, int eligible, bool byTime, DateTimeOffset now)
    {
        var every = total / eligible;
        var block = eligible / 50 * 61;
        if (byTime && total < block)
            throw new ArgumentException($"layout time needs at least {block:N0} complaints for {eligible:N0} eligible (61 per 50: 10 unclassified, 1 repeated)");
        if (!byTime && every < 4)
            throw new ArgumentException($"layout scattered needs at least 4 complaints per eligible one ({4L * eligible:N0} for {eligible:N0})");
        // The other groups of layout time: as large as the eligible ones when the total leaves room, else an equal share of the rest.
        var side = Math.Min(eligible, (total - block) / 3);
        await ExecAsync(db, """
            INSERT INTO departments (code, name, name_en) VALUES ('BENCH', '基准部门', 'Bench');
            INSERT INTO users (user_name, display_name, password_hash, roles) VALUES ('bench', 'bench', 'x', '{agent}');
            INSERT INTO customers (name, phone) VALUES ('基准客户', '13800000000');
            """);
        await ExecAsync(db, """
            INSERT INTO contacts (register_no, channel, kind, customer_id, content, received_at, first_responder_id, created_at)
            SELECT 'B-' || g, 'phone', 'complaint', 1, '基准投诉内容', @now - make_interval(secs => g * 30), 1, @now
            FROM generate_series(1, @total) g
            """, new { now, total });
        await ExecAsync(db, """
            INSERT INTO complaints (sheet_no, contact_id, customer_id, channel, content, department_id, registered_by, registered_at,
                                    reply_due_at, handled_at, needs_return_visit, root_cause_id, updated_at, counted)
            SELECT 'FB-' || g, g, 1, 'phone', CASE x.b WHEN 'repeated' THEN '基准重复' ELSE '基准投诉内容' END, 1, 1, coalesce(k.handled, @now) - interval '1 day', coalesce(k.handled, @now) + interval '1 day', k.handled,
                   k.needs, CASE WHEN k.classified THEN (SELECT min(id) FROM root_causes) END, @now, true
            FROM generate_series(1, @total) g
            CROSS JOIN LATERAL (SELECT @total - g AS r) p
            CROSS JOIN LATERAL (SELECT CASE
                WHEN NOT @byTime THEN CASE
                    WHEN g % @every = 0 AND g / @every <= @e THEN 'eligible' WHEN g % @every = 1 THEN 'recent' WHEN g % @every = 2 THEN 'visit'
                    WHEN g % @every = 3 THEN 'open' WHEN g % 100 = 4 THEN 'unclassified' WHEN g % 1000 = 5 THEN 'repeated' ELSE 'closed' END
                WHEN p.r < @side THEN 'open'
                WHEN p.r < 2 * @side THEN 'recent'
                WHEN p.r < 2 * @side + @block THEN CASE WHEN (p.r - 2 * @side) % 61 < 50 THEN 'eligible' WHEN (p.r - 2 * @side) % 61 < 60 THEN 'unclassified' ELSE 'repeated' END
                WHEN p.r < 3 * @side + @block THEN 'visit'
                ELSE 'closed' END AS b) x
            CROSS JOIN LATERAL (SELECT
                CASE x.b WHEN 'recent' THEN @now - interval '2 days' WHEN 'visit' THEN @now - interval '10 days' WHEN 'open' THEN NULL
                         WHEN 'closed' THEN @now - interval '30 days' - make_interval(secs => g) ELSE @now - interval '8 days' END AS handled,
                x.b = 'visit' AS needs,
                x.b <> 'unclassified' AS classified) k
            """, new { now, total, every, byTime, e = eligible, block, side });
        // Repeat complaints inside the week for the 'repeated' group, each with its own contact: they stop the clock.
        await ExecAsync(db, """
            WITH repeated AS (
                SELECT c.id, c.handled_at FROM complaints c
                WHERE c.content = '基准重复' AND c.handled_at IS NOT NULL AND NOT c.needs_return_visit AND c.root_cause_id IS NOT NULL
                  AND c.handled_at <= @now - interval '7 days'
            ), contact AS (
                INSERT INTO contacts (register_no, channel, kind, customer_id, content, received_at, first_responder_id, created_at)
                SELECT 'BR-' || r.id, 'phone', 'complaint', 1, '又出现了', r.handled_at + interval '2 days', 1, @now FROM repeated r
                RETURNING id, register_no
            )
            INSERT INTO complaints (sheet_no, contact_id, customer_id, channel, content, department_id, registered_by, registered_at,
                                    reply_due_at, needs_return_visit, repeat_of_complaint_id, updated_at)
            SELECT 'FR-' || r.id, ct.id, 1, 'phone', '又出现了', 1, 1, r.handled_at + interval '2 days',
                   r.handled_at + interval '4 days', false, r.id, @now
            FROM repeated r JOIN contact ct ON ct.register_no = 'BR-' || r.id
            """, new { now });
        // Every state at once (the repeats, not handled, are in progress); the closed ones move the rollup's "closed" by its trigger.
        await ExecAsync(db, """
            UPDATE complaint_states
            SET state = CASE WHEN handled_at IS NULL THEN 'contacted' WHEN handled_at <= @now - interval '30 days' THEN 'closed' ELSE 'handled' END,
                closed_at = CASE WHEN handled_at <= @now - interval '30 days' THEN handled_at + interval '7 days' END,
                close_reason = CASE WHEN handled_at <= @now - interval '30 days' THEN 'auto-one-week-old' END
            """, new { now });
        await ExecAsync(db, """
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details) SELECT id, registered_at, 'bench', 'registered', sheet_no FROM complaints
            """);
        await VacuumAsync(db);
        await using var conn = await db.OpenConnectionAsync();
        var n = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*)::int FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id
            WHERE st.state = 'handled' AND c.handled_at <= @cutoff AND NOT c.needs_return_visit AND c.root_cause_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM complaints r WHERE r.repeat_of_complaint_id = c.id AND r.registered_at >= c.handled_at)
            """, new { cutoff = Closure.AutoCloseCutoff(now) }));
        if (n != eligible) throw new InvalidOperationException($"seeded {n} eligible complaints, expected {eligible}");
    }
}
