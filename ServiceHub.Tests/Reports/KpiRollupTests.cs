using System.Text;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>A world for the rollup's property test: two departments, three projects, four customers; the clock in December 2026.</summary>
public sealed class KpiRollupWorld : World<KpiRollupWorld>
{
    public ComplaintWorld W { get; private set; } = default!;
    public Actor Leader { get; private set; } = default!;
    public TableRecords Records { get; private set; } = default!;
    public int[] Projects { get; private set; } = [];
    public long[] Customers { get; private set; } = [];
    public int[] RootCauses { get; private set; } = [];

    protected override DateTimeOffset Start => TestClock.Beijing(2026, 12, 10, 9, 0);

    protected override async Task SetUpAsync()
    {
        W = await ComplaintWorld.CreateAsync(S);
        Records = new TableRecords(W, "ROLL");
        Leader = new Actor(W.VpId, "vp", "领导", [Roles.Leadership], null);
        var n = NextNumber();
        Projects = [W.ProjectId, .. await ScalarListAsync<int>(
            "INSERT INTO projects (code, name) VALUES (@a, '卷项目甲' || @a), (@b, '卷项目乙' || @b) RETURNING id", new { a = $"RA{n}", b = $"RB{n}" })];
        Customers = [W.CustomerId, .. await ScalarListAsync<long>(
            "INSERT INTO customers (name, phone) SELECT '卷客户' || g, '1370000' || lpad((@n * 10 + g)::text, 4, '0') FROM generate_series(1, 3) g RETURNING id", new { n })];
        RootCauses = (await Get<CountingRepository>().RootCausesAsync()).Where(r => r.ParentId is not null).Select(r => r.Id).Take(4).ToArray();
    }
}

/// <summary>
/// The KPI rollup (sql/0200_kpi_rollup.sql, its triggers as of sql/0202_kpi_rollup_cheaper_triggers.sql: a unit's own figures moved by
/// difference, its group part recomputed when the grouping or the key changes; "closed" moved by the state rows' own trigger since
/// sql/0310_complaint_states.sql; <see cref="KpiRollup"/>) against the live SQL of the definitions (<see cref="KpiSql"/>,
/// <see cref="ComplaintStatistics.Sql"/>) on random data: registrations, merges and splits, verification changes, reclassification,
/// reopening, late and on-time replies and contacts, escalations, closures, extensions, further voices and a voice's customer changed,
/// one row at a time and set-based (one statement over many rows, as the sweeps write, regrouping and own changes mixed; closures and
/// reopenings written on the state rows, a closed complaint's key moved through the copies on its state row);
/// compared after every round, as the clock moves (deadlines passing with no event), for every department and for each one.
/// </summary>
public sealed class KpiRollupTests(KpiRollupWorld f) : IClassFixture<KpiRollupWorld>
{
    private static readonly string[] Channels = ["phone", "visit", "letter", "email", "forum", "media", "forwarded"];
    private static readonly Month First = new(2026, 9);
    private static readonly Month End = new(2027, 1);

    [Fact]
    public async Task The_rollup_equals_the_live_figures_on_random_data_with_merges_verification_reclassification_reopen_and_late_replies()
    {
        var rng = new Random(20261130);
        for (var round = 0; round < 8; round++)
        {
            for (var i = 0; i < 30; i++) await RandomChangeAsync(rng);
            f.Clock.Advance(TimeSpan.FromHours(rng.Next(0, 40)));
            await AssertRollupEqualsLiveAsync($"round {round}");
        }
        // Every kind of change happened (the seed is fixed; this guards the test's own reach).
        Assert.Equal(Enumerable.Range(0, Operations), _done.Order());
        Assert.True(await f.ScalarAsync<int>("SELECT count(*)::int FROM return_visit_tasks WHERE kind = 'consultation' AND state = 'unreachable'") > 0);
    }

    [Fact]
    public async Task A_figure_moves_in_the_same_transaction_as_the_write_and_a_rolled_back_write_leaves_it()
    {
        var dec = KpiQuery.Month(2026, 12, f.W.OtherDepartmentId);
        var before = (await f.Get<KpiService>().FiguresAsync(f.Leader, dec)).Complaints;
        var id = await f.Records.ComplaintAsync(f.W.OtherDepartmentId, f.Clock.GetUtcNow().AddHours(-1), counted: true, contacted: null, state: "dispatched");
        Assert.Equal(before + 1, (await f.Get<KpiService>().FiguresAsync(f.Leader, dec)).Complaints);

        await using (var conn = await f.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await conn.ExecuteAsync("UPDATE complaints SET counted = false, count_reason = '重复登记' WHERE id = @id", new { id }, tx);
            await tx.RollbackAsync();
        }
        Assert.Equal(before + 1, (await f.Get<KpiService>().FiguresAsync(f.Leader, dec)).Complaints);
        await f.ExecuteAsync("UPDATE complaints SET counted = false, count_reason = '重复登记' WHERE id = @id", new { id });
        Assert.Equal(before, (await f.Get<KpiService>().FiguresAsync(f.Leader, dec)).Complaints);
    }

    [Fact]
    public async Task A_deadline_passing_with_no_event_makes_the_contact_and_the_reply_late_without_a_write()
    {
        var kpi = f.Get<KpiService>();
        var dec = KpiQuery.Month(2026, 12, f.W.OtherDepartmentId);
        async Task<(int Complaints, KpiRate Contact, int ContactLate, KpiRate Reply, int ReplyLate)> Now()
        {
            var k = await kpi.FiguresAsync(f.Leader, dec);
            var live = await kpi.FiguresLiveAsync(f.Leader, dec);
            Assert.Equal(live.Counts.Where(c => c.Value != 0).OrderBy(c => c.Key), k.Counts.Where(c => c.Value != 0).OrderBy(c => c.Key));
            return (k.Complaints, k.ContactOnTime, k[KpiSet.ContactLate], k.ReplyOnTime, k[KpiSet.ReplyLate]);
        }
        var before = await Now();
        // Registered and dispatched now with 15 minutes to the first contact and 48 hours to the reply; nothing else happens.
        await f.Records.ComplaintAsync(f.W.OtherDepartmentId, f.Clock.GetUtcNow(), counted: true, contacted: null, state: "dispatched", urgency: 15);
        Assert.Equal((before.Complaints + 1, before.Contact, before.ContactLate, before.Reply, before.ReplyLate), await Now());

        f.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal((before.Complaints + 1, before.Contact with { Denominator = before.Contact.Denominator + 1 }, before.ContactLate + 1, before.Reply,
            before.ReplyLate), await Now());

        f.Clock.Advance(TimeSpan.FromHours(48));
        Assert.Equal((before.Complaints + 1, before.Contact with { Denominator = before.Contact.Denominator + 1 }, before.ContactLate + 1,
            before.Reply with { Denominator = before.Reply.Denominator + 1 }, before.ReplyLate + 1), await Now());
    }

    private readonly HashSet<int> _done = [];
    private const int Operations = 23;

    private async Task RandomChangeAsync(Random rng)
    {
        var now = f.Clock.GetUtcNow();
        T Pick<T>(IReadOnlyList<T> xs) => xs[rng.Next(xs.Count)];
        async Task<long?> AnyAsync(string where)
        {
            var ids = await f.ScalarListAsync<long>($"SELECT c.id FROM complaints c {ComplaintSql.JoinState} WHERE c.sheet_no LIKE 'FY-ROLL-%' AND {where} ORDER BY c.id");
            return ids.Count == 0 ? null : ids[rng.Next(ids.Count)];
        }
        async Task<long[]> SomeAsync(string where)
        {
            var ids = await f.ScalarListAsync<long>($"SELECT c.id FROM complaints c {ComplaintSql.JoinState} WHERE c.sheet_no LIKE 'FY-ROLL-%' AND {where} ORDER BY c.id");
            return ids.Where(_ => rng.Next(3) == 0).ToArray();
        }
        var op = rng.Next(Operations);
        async Task Exec(string sql, object args)
        {
            if (await f.ExecuteAsync(sql, args) > 0) _done.Add(op);
        }
        long? id;
        switch (op)
        {
            case <= 3: // registration, anywhere from September to the clock
                var reg = First.Start.AddMinutes(rng.Next((int)(now - First.Start).TotalMinutes));
                var contacted = rng.Next(3) == 0 ? (DateTimeOffset?)null : reg.AddMinutes(rng.Next(5, 150));
                var handled = rng.Next(3) == 0 ? (DateTimeOffset?)null : reg.AddHours(rng.Next(1, 80));
                var closed = handled is not null && rng.Next(2) == 0;
                var root = closed || rng.Next(3) > 0 ? Pick(f.RootCauses) : (int?)null;
                var repeatOf = rng.Next(6) == 0 ? await AnyAsync("true") : null;
                id = await f.Records.ComplaintAsync(Pick<int>([f.W.DepartmentId, f.W.OtherDepartmentId]), reg, Pick(new bool?[] { true, true, true, false, null }),
                    contacted, closed ? "closed" : handled is not null ? "handled" : "dispatched", root, handled, rng.Next(3), Pick(Channels),
                    Pick<int>([15, 30, 60, 120]), repeatOf: repeatOf);
                await Exec("UPDATE complaints SET project_id = @p WHERE id = @id", new { p = Pick(f.Projects), id });
                await Exec("UPDATE contacts SET customer_id = @c WHERE id = (SELECT contact_id FROM complaints WHERE id = @id)", new { c = Pick(f.Customers), id });
                break;
            case 4: // merge a group into another survivor (its merged complaints follow)
                var from = await AnyAsync("c.merged_into_id IS NULL");
                var into = await AnyAsync("c.merged_into_id IS NULL");
                if (from is { } a && into is { } b && a != b)
                    await Exec("UPDATE complaints SET merged_into_id = @b WHERE id = @a OR merged_into_id = @a", new { a, b });
                break;
            case 5: // split a merged complaint off
                if (await AnyAsync("c.merged_into_id IS NOT NULL") is { } m) await Exec("UPDATE complaints SET merged_into_id = NULL WHERE id = @m", new { m });
                break;
            case 6: // verification changed
                if (await AnyAsync("true") is { } v)
                    await Exec("UPDATE complaints SET counted = @c, count_reason = CASE WHEN @c = false THEN '重复登记' END WHERE id = @v", new { c = Pick(new bool?[] { true, false, null }), v });
                break;
            case 7: // reclassification: root cause, department, project, channel
                if (await AnyAsync("true") is { } r)
                    await Exec("UPDATE complaints SET root_cause_id = @root, department_id = @d, project_id = @p, channel = @ch WHERE id = @r",
                        new { root = Pick(f.RootCauses), d = Pick<int>([f.W.DepartmentId, f.W.OtherDepartmentId]), p = Pick(f.Projects), ch = Pick(Channels), r });
                break;
            case 8: // reopened: a new reply deadline, the first reply stays what the measure judges (the complaint, then its state row)
                if (await AnyAsync("st.state IN ('handled','closed')") is { } o)
                {
                    await Exec("UPDATE complaints SET handled_at = NULL, reply_due_at = @due WHERE id = @o", new { due = now.AddHours(48), o });
                    await Exec("UPDATE complaint_states SET state = 'dispatched', closed_at = NULL, close_reason = NULL WHERE complaint_id = @o", new { o });
                }
                break;
            case 9: // a reply, late or on time
                if (await AnyAsync("c.handled_at IS NULL") is { } h)
                {
                    await Exec("UPDATE complaints SET handled_at = reply_due_at + make_interval(hours => @x) WHERE id = @h", new { x = rng.Next(-30, 30), h });
                    await Exec("UPDATE complaint_states SET state = 'handled', closed_at = NULL, close_reason = NULL WHERE complaint_id = @h", new { h });
                }
                break;
            case 10: // a first contact, late or on time
                if (await AnyAsync("c.contacted_at IS NULL") is { } c)
                    await Exec("UPDATE complaints SET contacted_at = contact_due_at + make_interval(mins => @x) WHERE id = @c", new { x = rng.Next(-20, 20), c });
                break;
            case 11: // escalated, or closed (classified first: the state row refuses a closure without a root cause)
                if (await AnyAsync("true") is { } e)
                {
                    if (rng.Next(2) == 0)
                        await Exec("UPDATE complaints SET escalation_level = least(escalation_level + 1, 2) WHERE id = @e", new { e });
                    else
                    {
                        await Exec("UPDATE complaints SET root_cause_id = coalesce(root_cause_id, @root) WHERE id = @e", new { e, root = Pick(f.RootCauses) });
                        await Exec("UPDATE complaint_states SET state = 'closed', closed_at = @now, close_reason = 'return-visit-satisfied' WHERE complaint_id = @e", new { e, now });
                    }
                }
                break;
            case 12: // an extension agreed before the reply
                if (await AnyAsync("c.handled_at IS NULL") is { } x)
                    await Exec("UPDATE complaints SET reply_due_at = reply_due_at + interval '24 hours' WHERE id = @x", new { x });
                break;
            case 13: // a further voice attached (to a survivor or a merged complaint), from any customer
                if (await AnyAsync("true") is { } t)
                {
                    var contact = await f.Records.ContactAsync(now, "complaint", null);
                    await Exec("UPDATE contacts SET customer_id = @c WHERE id = @contact", new { c = Pick(f.Customers), contact });
                    await Exec("INSERT INTO complaint_contacts (complaint_id, contact_id, attached_by, attached_at) VALUES (@t, @contact, @u, @now)",
                        new { t, contact, u = f.W.Agent.Id, now });
                }
                break;
            case 15 or 16: // a consultation received, perhaps handed over
                var received = First.Start.AddMinutes(rng.Next((int)(now - First.Start).TotalMinutes));
                var consultation = await f.Records.ContactAsync(received, "consultation", Pick(new bool?[] { true, false, null }));
                if (rng.Next(3) == 0)
                    await Exec("UPDATE contacts SET handover_to_id = @h, handover_at = received_at WHERE id = @k",
                        new { h = Pick<int>([f.W.Handler.Id, f.W.OtherHandler.Id]), k = consultation });
                break;
            case 17: // its satisfaction callback: done (satisfied or not) or closed unreachable
                var ks = await f.ScalarListAsync<long>("""
                    SELECT id FROM contacts ct WHERE kind = 'consultation' AND register_no LIKE 'ROLL-%'
                      AND NOT EXISTS (SELECT 1 FROM return_visit_tasks t WHERE t.contact_id = ct.id) ORDER BY id
                    """);
                if (ks.Count > 0)
                {
                    var unreachable = rng.Next(3) == 0;
                    await Exec("""
                        INSERT INTO return_visit_tasks (kind, contact_id, customer_id, department_id, state, due_at, scheduled_at, outcome, created_at,
                                                        completed_at, completed_by, unreachable_note)
                        VALUES ('consultation', @k, @c, @d, @state, @now, @now, @outcome, @now, @now, @u, @note)
                        """, new { k = Pick(ks), c = f.W.CustomerId, d = f.W.DepartmentId, state = unreachable ? "unreachable" : "done",
                            outcome = unreachable ? null : Pick(new[] { "satisfied", "not_satisfied" }), now, u = f.W.Agent.Id,
                            note = unreachable ? "三天未接通" : null });
                }
                break;
            case 18: // a handler moves to the other department (their consultations follow, as the live figure has it)
                await Exec("UPDATE users SET department_id = @d WHERE id = @u",
                    new { d = Pick<int>([f.W.DepartmentId, f.W.OtherDepartmentId]), u = f.W.OtherHandler.Id });
                break;
            // Set-based writes, one statement over many rows, as the sweeps write (the trigger's fast path and its pairing of old and new rows):
            case 19: // several complaints escalated, several closed, several merged complaints touched (which counts for nothing)
                await Exec("UPDATE complaints SET escalation_level = least(escalation_level + 1, 2) WHERE id = ANY (@ids)", new { ids = await SomeAsync("true") });
                var closing = await SomeAsync("st.state = 'handled'");
                await Exec("UPDATE complaints SET root_cause_id = coalesce(root_cause_id, @root) WHERE id = ANY (@ids)", new { ids = closing, root = Pick(f.RootCauses) });
                await Exec("UPDATE complaint_states SET state = 'closed', closed_at = @now, close_reason = 'auto-one-week' WHERE complaint_id = ANY (@ids)",
                    new { ids = closing, now });
                var merged = await SomeAsync("c.merged_into_id IS NOT NULL");
                await Exec("UPDATE complaints SET escalation_level = 2, root_cause_id = coalesce(root_cause_id, @root) WHERE id = ANY (@ids)",
                    new { ids = merged, root = Pick(f.RootCauses) });
                await Exec("UPDATE complaint_states SET state = 'closed' WHERE complaint_id = ANY (@ids)", new { ids = merged });
                // One statement closing some state rows and reopening others, at the same and at different keys (old closed units out,
                // new ones in; a key whose difference is zero not written).
                await Exec("""
                    UPDATE complaint_states SET state = CASE WHEN state = 'closed' THEN 'handled' ELSE 'closed' END,
                                                closed_at = CASE WHEN state = 'closed' THEN NULL ELSE @now END
                    WHERE complaint_id = ANY (@ids)
                    """, new { ids = await SomeAsync("c.root_cause_id IS NOT NULL"), now });
                break;
            case 20: // one statement regrouping one complaint (merged into another) and changing others' own figures
                if (await AnyAsync("c.merged_into_id IS NULL") is { } g1 && await AnyAsync("c.merged_into_id IS NULL") is { } g2 && g1 != g2)
                    await Exec("""
                        UPDATE complaints SET merged_into_id = CASE WHEN id = @g1 THEN @g2 ELSE merged_into_id END,
                                              escalation_level = CASE WHEN id = @g1 THEN escalation_level ELSE least(escalation_level + 1, 2) END
                        WHERE id = @g1 OR id = ANY (@others)
                        """, new { g1, g2, others = (await SomeAsync("c.merged_into_id IS NULL")).Where(x => x != g1).ToArray() });
                break;
            case 21: // many contacts and complaints touched where no figure reads (a handover sweep, the queue's due times)
                await Exec("UPDATE contacts SET handover_flagged_at = @now WHERE register_no LIKE 'ROLL-%' OR id IN (SELECT contact_id FROM complaints WHERE sheet_no LIKE 'FY-ROLL-%')", new { now });
                await Exec("UPDATE complaints SET current_due_at = @now, updated_at = @now WHERE sheet_no LIKE 'FY-ROLL-%'", new { now });
                break;
            case 22: // several satisfaction callbacks reopened at once, several consultations handed over at once
                await Exec("UPDATE return_visit_tasks SET state = 'open', outcome = NULL, completed_at = NULL, completed_by = NULL WHERE kind = 'consultation' AND state = 'done' AND id % 2 = @x",
                    new { x = rng.Next(2) });
                await Exec("UPDATE contacts SET handover_to_id = @h, handover_at = received_at WHERE kind = 'consultation' AND register_no LIKE 'ROLL-%' AND id % 3 = @x",
                    new { h = Pick<int>([f.W.Handler.Id, f.W.OtherHandler.Id]), x = rng.Next(3) });
                break;
            case 14: // a voice's customer corrected
                if (await AnyAsync("true") is { } k)
                    await Exec("UPDATE contacts SET customer_id = @c WHERE id = (SELECT contact_id FROM complaints WHERE id = @k)", new { c = Pick(f.Customers), k });
                break;
            default:
                throw new InvalidOperationException($"no operation {op}");
        }
    }

    private async Task AssertRollupEqualsLiveAsync(string when)
    {
        var kpi = f.Get<KpiService>();
        var statistics = f.Get<ComplaintStatistics>();
        var complaintSets = Enum.GetValues<KpiSet>().Where(s => KpiSql.FamilyOf(s) != KpiFamily.Emergencies).ToArray();
        string Figures(KpiFigures k) => string.Join(", ", complaintSets.Select(s => $"{s}={k[s]}"));
        foreach (var dept in new int?[] { null, f.W.DepartmentId, f.W.OtherDepartmentId })
        {
            var period = new KpiQuery(First.Start, End.Start, dept);
            Assert.True(KpiRollup.Covers(period.From, period.To));
            var rolled = await kpi.MonthlyAsync(f.Leader, period);
            var live = await kpi.MonthlyLiveAsync(f.Leader, period);
            Assert.Equal(live.Select(m => $"{m.Month}: {Figures(m.Figures)}"), rolled.Select(m => $"{m.Month}: {Figures(m.Figures)}"));
            Assert.Equal(Figures(await kpi.FiguresLiveAsync(f.Leader, period)), Figures(await kpi.FiguresAsync(f.Leader, period)));
            for (var m = First; m < End; m = m.Next)
            {
                Assert.Equal(Figures(await kpi.FiguresLiveAsync(f.Leader, KpiQuery.Of(m, dept))), Figures(await kpi.FiguresAsync(f.Leader, KpiQuery.Of(m, dept))));
                foreach (var by in Enum.GetValues<StatisticsDimension>())
                {
                    var q = new StatisticsQuery(m.Start, m.End, by, DepartmentId: dept);
                    Assert.Equal(Rows(await statistics.CountLiveAsync(f.Leader, q)), Rows(await statistics.CountAsync(f.Leader, q)));
                }
            }
        }
        Assert.True((await kpi.FiguresLiveAsync(f.Leader, new KpiQuery(First.Start, End.Start))).Complaints > 0, when);

        // The annual report's finest groups (month × department × root cause; consultations by month) and its verification counts,
        // read from the rollups, are the rows the definitions' SQL gives (issue #14 point 4).
        var whole = new KpiQuery(First.Start, End.Start);
        foreach (var family in new[] { KpiFamily.Complaints, KpiFamily.Consultations })
            Assert.Equal(await GroupedRowsAsync(AnnualReportService.FamilySql(family), whole), await GroupedRowsAsync(AnnualReportService.FamilyFromRollupSql(family, whole)!, whole));
        await using var conn = await f.Get<NpgsqlDataSource>().OpenConnectionAsync();
        var args = new { From = whole.From.ToUniversalTime(), To = whole.To.ToUniversalTime(), DepartmentId = (int?)null, ProjectId = (int?)null };
        Assert.Equal(await conn.QuerySingleAsync<(int, int)>(AnnualReportService.VerificationSql, args),
            await conn.QuerySingleAsync<(int, int)>(AnnualReportService.VerificationSqlOf(whole), args));
    }

    private async Task<string> GroupedRowsAsync(string sql, KpiQuery q)
    {
        await using var conn = await f.Get<NpgsqlDataSource>().OpenConnectionAsync();
        var args = new { From = q.From.ToUniversalTime(), To = q.To.ToUniversalTime(), DepartmentId = (int?)null, ProjectId = (int?)null, Now = f.Clock.GetUtcNow() };
        var rows = await conn.QueryAsync(new CommandDefinition(sql, args));
        return string.Join("\n", rows.Select(r => string.Join(", ", ((IDictionary<string, object?>)r)
            .Where(kv => kv.Key is not ("mean_arrival" or "max_arrival"))   // emergencies' only: null for complaints and consultations
            .Select(kv => $"{kv.Key}={kv.Value}")
            .Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal));
    }

    private static string Rows(StatisticsResult r)
    {
        var s = new StringBuilder($"counted {r.Counted}, awaiting {r.AwaitingVerification}, not counted {r.NotCounted}\n");
        foreach (var row in r.Rows.OrderBy(x => x.Key, StringComparer.Ordinal))
            s.Append($"{row.Key ?? "-"} {row.Label}: {row.Complaints} complaints, {row.Complainants} complainants, {row.Times} times\n");
        return s.ToString();
    }
}
