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
public sealed class AnnualReportFixture : World<AnnualReportFixture>
{
    public static readonly DateTimeOffset Now = TestClock.Beijing(2027, 1, 5, 2);
    public static DateTimeOffset L(int year, int month, int day, int hour = 9, int minute = 0) => TestClock.Beijing(year, month, day, hour, minute);

    public ComplaintWorld W { get; private set; } = default!;
    public AnnualReportService Reports => S.Get<AnnualReportService>();
    public Actor Leader { get; private set; } = default!;
    public Actor Supervisor { get; private set; } = default!;
    public Dictionary<string, long> Ids { get; } = [];

    protected override DateTimeOffset Start => Now;

    protected override async Task SetUpAsync()
    {
        W = await ComplaintWorld.CreateAsync(S);
        var records = new TableRecords(W, "AR");
        Leader = new Actor(W.VpId, "vp", "领导", [Roles.Leadership], null);
        Supervisor = await PersonAsync("cssup", Roles.CsSupervisor, W.CsDepartmentId, "客服主管");
        var causes = await S.Get<CountingRepository>().RootCausesAsync();
        var leak = causes.First(c => c.Name == "渗漏").Id;
        var fee = causes.First(c => c.Name == "收费争议").Id;
        var (a, b) = (W.DepartmentId, W.OtherDepartmentId);

        var r = L(2026, 3, 10);
        Ids["C1"] = await records.ComplaintAsync(a, r, true, r.AddMinutes(20), "closed", leak, r.AddHours(24), 0);
        r = L(2026, 3, 15);
        Ids["C2"] = await records.ComplaintAsync(a, r, true, r.AddMinutes(45), "handled", leak, r.AddHours(50), 1);
        Ids["C3"] = await records.ComplaintAsync(b, L(2026, 7, 1), true, null, "dispatched", fee, null, 2, repeatOf: Ids["C1"], extended: (L(2026, 7, 2), L(2027, 2, 1)));
        Ids["M1"] = await records.ComplaintAsync(a, L(2026, 3, 10, 11), true, L(2026, 3, 10, 11, 5), "dispatched", null, null, 0, mergedInto: Ids["C1"]);
        Ids["N1"] = await records.ComplaintAsync(a, L(2026, 4, 1), false, null, "dispatched", null, null, 0);
        Ids["U1"] = await records.ComplaintAsync(a, L(2026, 5, 1), null, null, "dispatched", null, null, 0);
        r = L(2025, 6, 1);
        Ids["P1"] = await records.ComplaintAsync(a, r, true, r.AddMinutes(10), "closed", fee, r.AddHours(24), 0);

        await records.ContactAsync(L(2026, 3, 2), "consultation", true);
        await records.ContactAsync(L(2026, 3, 3), "consultation", true);
        await records.ContactAsync(L(2026, 3, 4), "consultation", false);
        await records.ContactAsync(L(2025, 3, 4), "consultation", true);

        await records.EmergencyAsync(a, L(2026, 8, 1, 8), L(2026, 8, 1, 9, 30));
        await records.EmergencyAsync(b, L(2026, 9, 1, 8), L(2026, 9, 1, 10, 30));

        await ReturnVisitAsync(Ids["C1"], a, L(2026, 3, 12), "satisfied");
        await ReturnVisitAsync(Ids["C2"], a, L(2026, 3, 20), "not_satisfied");

        await ExecuteAsync("""
            INSERT INTO return_visit_analyses (department_id, period, visits, satisfied, not_satisfied, top_reasons, analysis, author_id, submitted_at)
            VALUES (@a, '2026-03', 2, 1, 1, '渗漏 (2)', '雨季渗漏集中', @author, @at)
            """, new { a, author = W.VpId, at = L(2026, 4, 2) });
        var plan = await ScalarAsync<long>("""
            INSERT INTO return_visit_plans (period, final_opinion, decided_plan, decided_at, updated_by, updated_at)
            VALUES ('2026-03', '加强防水维修', '全面排查屋面', '2026-04-05', @author, @at) RETURNING id
            """, new { author = W.VpId, at = L(2026, 4, 5) });
        await ExecuteAsync("""
            INSERT INTO return_visit_plan_actions (plan_id, description, department_id, due_date, done_at, done_by, created_at)
            VALUES (@plan, '排查屋面防水', @a, '2026-04-30', @done, @author, @at),
                   (@plan, '更换老化管线', @a, '2026-06-30', NULL, NULL, @at)
            """, new { plan, a, done = L(2026, 4, 10), author = W.VpId, at = L(2026, 4, 5) });
    }

    private Task ReturnVisitAsync(long complaintId, int dept, DateTimeOffset completed, string outcome) =>
        ExecuteAsync("""
            INSERT INTO return_visit_tasks (kind, complaint_id, customer_id, department_id, state, due_at, scheduled_at, outcome, created_at, completed_at)
            VALUES ('complaint', @complaintId, @customer, @dept, 'done', @completed, @completed, @outcome, @completed, @completed)
            """, new { complaintId, customer = W.CustomerId, dept, completed, outcome });
}
