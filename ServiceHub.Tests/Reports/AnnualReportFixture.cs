using Dapper;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>
/// A small, hand-checked data set for the Annual Service Review Report of 2026 with 2025 beside it, written straight into the tables.
/// The clock stands at 2027-01-05 02:00 in Beijing (the yearly job's time). A = the world's department, B = the other one.
/// <code>
/// complaint  dept  registered      contact (30 min)   reply (48 h)    esc  state       root cause  other
/// C1         A     2026-03-10 09   +20 min on time    +24 h on time   0    closed      渗漏        M1 merged into it
/// C2         A     2026-03-15 09   +45 min late       +50 h late      1    handled     渗漏
/// C3         B     2026-07-01 09   none, late         extended to 2027-02-01: not yet due   2    dispatched  收费争议    repeat of C1
/// N1 (not counted, 2026-04), U1 (awaiting verification, 2026-05): not counted.
/// P1         A     2025-06-01 09   +10 min on time    +24 h on time   0    closed      收费争议
/// consultations: 2026-03 two satisfied, one not; 2025-03 one satisfied
/// emergencies 2026: E1 A 08-01 arrived +90 min; E2 B 09-01 arrived +150 min (late); none in 2025
/// return visits done 2026-03: C1 satisfied, C2 not satisfied (department A)
/// department A's analysis of 2026-03; the working group's plan of 2026-03 with two actions, one done (on time), one open
/// </code>
/// </summary>
public sealed class AnnualReportFixture : DatabaseFixture
{
    public static readonly DateTimeOffset Now = BusinessTime.FromLocal(new DateTime(2027, 1, 5, 2, 0, 0));
    public static DateTimeOffset L(int year, int month, int day, int hour = 9, int minute = 0) =>
        BusinessTime.FromLocal(new DateTime(year, month, day, hour, minute, 0));

    public TestServices S { get; private set; } = default!;
    public ComplaintWorld W { get; private set; } = default!;
    public AnnualReportService Reports => S.Get<AnnualReportService>();
    public Actor Leader { get; private set; } = default!;
    public Actor Supervisor { get; private set; } = default!;
    public Dictionary<string, long> Ids { get; } = [];

    private int _n;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        S = new TestServices(ConnectionString, Now);
        W = await ComplaintWorld.CreateAsync(S);
        Leader = new Actor(W.VpId, "vp", "领导", [Roles.Leadership], null);
        var supervisor = await Build.UserAsync(S, "cssup", [Roles.CsSupervisor], W.CsDepartmentId);
        Supervisor = new Actor(supervisor, "cssup", "客服主管", [Roles.CsSupervisor], W.CsDepartmentId);
        var causes = await S.Get<CountingRepository>().RootCausesAsync();
        var leak = causes.First(c => c.Name == "渗漏").Id;
        var fee = causes.First(c => c.Name == "收费争议").Id;
        var (a, b) = (W.DepartmentId, W.OtherDepartmentId);

        var r = L(2026, 3, 10);
        Ids["C1"] = await ComplaintAsync(a, r, true, r.AddMinutes(20), "closed", leak, r.AddHours(24), 0);
        r = L(2026, 3, 15);
        Ids["C2"] = await ComplaintAsync(a, r, true, r.AddMinutes(45), "handled", leak, r.AddHours(50), 1);
        Ids["C3"] = await ComplaintAsync(b, L(2026, 7, 1), true, null, "dispatched", fee, null, 2, repeatOf: Ids["C1"]);
        await using (var c = await DataSource.OpenConnectionAsync())
            await c.ExecuteAsync("""
                INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details, deadline_before, deadline_after)
                VALUES (@id, @at, 'test', 'extended', '', @before, @after);
                UPDATE complaints SET reply_due_at = @after WHERE id = @id;
                """, new { id = Ids["C3"], at = L(2026, 7, 2), before = L(2026, 7, 3), after = L(2027, 2, 1) });
        Ids["M1"] = await ComplaintAsync(a, L(2026, 3, 10, 11), true, L(2026, 3, 10, 11, 5), "dispatched", null, null, 0, mergedInto: Ids["C1"]);
        Ids["N1"] = await ComplaintAsync(a, L(2026, 4, 1), false, null, "dispatched", null, null, 0);
        Ids["U1"] = await ComplaintAsync(a, L(2026, 5, 1), null, null, "dispatched", null, null, 0);
        r = L(2025, 6, 1);
        Ids["P1"] = await ComplaintAsync(a, r, true, r.AddMinutes(10), "closed", fee, r.AddHours(24), 0);

        await ContactAsync(L(2026, 3, 2), "consultation", true);
        await ContactAsync(L(2026, 3, 3), "consultation", true);
        await ContactAsync(L(2026, 3, 4), "consultation", false);
        await ContactAsync(L(2025, 3, 4), "consultation", true);

        await EmergencyAsync(a, L(2026, 8, 1, 8), L(2026, 8, 1, 9, 30));
        await EmergencyAsync(b, L(2026, 9, 1, 8), L(2026, 9, 1, 10, 30));

        await ReturnVisitAsync(Ids["C1"], a, L(2026, 3, 12), "satisfied");
        await ReturnVisitAsync(Ids["C2"], a, L(2026, 3, 20), "not_satisfied");

        await using var conn = await DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO return_visit_analyses (department_id, period, visits, satisfied, not_satisfied, top_reasons, analysis, author_id, submitted_at)
            VALUES (@a, '2026-03', 2, 1, 1, '渗漏 (2)', '雨季渗漏集中', @author, @at)
            """, new { a, author = W.VpId, at = L(2026, 4, 2) });
        var plan = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO return_visit_plans (period, final_opinion, decided_plan, decided_at, updated_by, updated_at)
            VALUES ('2026-03', '加强防水维修', '全面排查屋面', '2026-04-05', @author, @at) RETURNING id
            """, new { author = W.VpId, at = L(2026, 4, 5) });
        await conn.ExecuteAsync("""
            INSERT INTO return_visit_plan_actions (plan_id, description, department_id, due_date, done_at, done_by, created_at)
            VALUES (@plan, '排查屋面防水', @a, '2026-04-30', @done, @author, @at),
                   (@plan, '更换老化管线', @a, '2026-06-30', NULL, NULL, @at)
            """, new { plan, a, done = L(2026, 4, 10), author = W.VpId, at = L(2026, 4, 5) });
    }

    public override async Task DisposeAsync()
    {
        await S.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<long> ContactAsync(DateTimeOffset at, string kind, bool? satisfied)
    {
        var n = Interlocked.Increment(ref _n);
        await using var conn = await DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("""
            INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, content, answer, satisfied, received_at, first_responder_id, created_at)
            VALUES (@no, 'phone', @kind, @customer, @project, '内容', '答复', @satisfied, @at, @agent, @at) RETURNING id
            """, new { no = $"AR-{n:0000}", kind, customer = W.CustomerId, project = W.ProjectId, satisfied, at, agent = W.Agent.Id });
    }

    private async Task<long> ComplaintAsync(int dept, DateTimeOffset reg, bool? counted, DateTimeOffset? contacted, string state, int? root,
        DateTimeOffset? handled, int level, long? mergedInto = null, long? repeatOf = null)
    {
        var contactId = await ContactAsync(reg, "complaint", null);
        await using var conn = await DataSource.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO complaints (sheet_no, contact_id, customer_id, project_id, channel, content, state, urgency_minutes, department_id, registered_by,
                registered_at, dispatched_at, contact_due_at, contacted_at, reply_due_at, handled_at, closed_at, escalation_level, updated_at,
                root_cause_id, counted, count_reason, merged_into_id, repeat_of_complaint_id)
            VALUES ('FY-AR-' || @contactId, @contactId, @customer, @project, 'phone', '投诉内容', @state, 30, @dept, @agent,
                @reg, @reg, @reg + interval '30 minutes', @contacted, @reg + interval '48 hours', @handled, CASE WHEN @state = 'closed' THEN @handled END, @level, @reg,
                @root, @counted, CASE WHEN @counted = false THEN '重复登记' END, @mergedInto, @repeatOf)
            RETURNING id
            """, new { contactId, customer = W.CustomerId, project = W.ProjectId, state, dept, agent = W.Agent.Id, reg, contacted, handled, level, root, counted, mergedInto, repeatOf });
        await conn.ExecuteAsync("""
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details, deadline_before, deadline_after)
            VALUES (@id, @reg, 'test', 'registered', '', NULL, @due)
            """, new { id, reg, due = reg.AddHours(48) });
        if (handled is { } h)
            await conn.ExecuteAsync("INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details) VALUES (@id, @h, 'test', 'handled', '')", new { id, h });
        return id;
    }

    private async Task EmergencyAsync(int dept, DateTimeOffset reported, DateTimeOffset arrived)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO emergencies (kind, project_id, location, occurred_at, description, responsible_department_id, reported_by, reported_at, on_site_due_at,
                state, arrived_at, arrived_by, cause, scope, response)
            VALUES ('fire_explosion', @project, '3号楼', @reported, '起火', @dept, @agent, @reported, @reported + interval '2 hours',
                'on_site', @arrived, @agent, '原因', '范围', '处置')
            """, new { project = W.ProjectId, reported, dept, agent = W.Agent.Id, arrived });
    }

    private async Task ReturnVisitAsync(long complaintId, int dept, DateTimeOffset completed, string outcome)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO return_visit_tasks (kind, complaint_id, customer_id, department_id, state, due_at, scheduled_at, outcome, created_at, completed_at)
            VALUES ('complaint', @complaintId, @customer, @dept, 'done', @completed, @completed, @outcome, @completed, @completed)
            """, new { complaintId, customer = W.CustomerId, dept, completed, outcome });
    }
}
