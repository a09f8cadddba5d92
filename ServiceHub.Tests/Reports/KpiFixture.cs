using ServiceHub.Data.Admin;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>
/// A small, hand-checked data set for the KPIs of November 2026 (business time), written straight into the tables so every
/// time is exact. The clock stands at 2026-11-26 10:00 in Beijing. Department A is the world's department, B the other one.
/// <code>
/// complaint  dept  registered     contact (due)         first reply (due)            esc  state       root cause  channel  other
/// C1         A     11-02 09:00    +20 min (30) on time  +24 h (48 h) on time          0   closed      渗漏        phone    M1 merged into it
/// C2         A     11-03 09:00    +45 min (30) late     +50 h (48 h) late             1   handled     –           visit
/// C3         A     11-04 09:00    +10 min (30) on time  +60 h (extended to 72 h) ok     0   closed      渗漏        phone    extended at +40 h
/// C4         B     11-05 09:00    none (30) late        none (48 h) late              2   dispatched  收费争议    phone    repeat of C1
/// C5         A     11-26 09:30    none (120) not due    none, not due                 0   dispatched  –           phone
/// M1 (merged into C1), N1 (not counted), U1 (awaiting verification): not counted.  O1: counted, A, October.
/// consultations in November: 3 satisfied, 1 not, 1 not satisfied at the contact but satisfied at the callback, handed over to A
/// (+ an inquiry, and a satisfied consultation in October); all but the handed-over one belong to the agent's CS department
/// emergency  dept  reported     arrived
/// E1         A     11-10 08:00  +90 min
/// E2         B     11-12 08:00  +150 min (late)
/// E3         A     11-26 09:30  not yet, due 11:30 (not measured)
/// E4         A     11-20 08:00  never (late)
/// </code>
/// </summary>
public sealed class KpiFixture : World<KpiFixture>
{
    public static readonly DateTimeOffset Now = L(26, 10);
    public static DateTimeOffset L(int day, int hour, int minute = 0, int month = 11) => TestClock.Beijing(2026, month, day, hour, minute);
    public static readonly KpiQuery November = KpiQuery.Month(2026, 11);

    public ComplaintWorld W { get; private set; } = default!;
    public KpiService Kpi => S.Get<KpiService>();
    public Actor Leader { get; private set; } = default!;
    public Dictionary<string, long> Ids { get; } = [];
    public int LeakId { get; private set; }
    public int FeeId { get; private set; }

    protected override DateTimeOffset Start => Now;

    protected override async Task SetUpAsync()
    {
        W = await ComplaintWorld.CreateAsync(S);
        var records = new TableRecords(W, "KPI");
        Leader = new Actor(W.VpId, "vp", "领导", [Roles.Leadership], null);
        var causes = await S.Get<CountingRepository>().RootCausesAsync();
        LeakId = causes.First(c => c.Name == "渗漏").Id;
        FeeId = causes.First(c => c.Name == "收费争议").Id;
        var a = W.DepartmentId;
        var b = W.OtherDepartmentId;
        var reg = L(2, 9);
        Ids["C1"] = await records.ComplaintAsync(a, reg, counted: true, urgency: 30, contacted: reg.AddMinutes(20), state: "closed", root: LeakId, handled: reg.AddHours(24));
        reg = L(3, 9);
        Ids["C2"] = await records.ComplaintAsync(a, reg, counted: true, urgency: 30, contacted: reg.AddMinutes(45), state: "handled", handled: reg.AddHours(50), level: 1, channel: "visit");
        reg = L(4, 9);
        Ids["C3"] = await records.ComplaintAsync(a, reg, counted: true, urgency: 30, contacted: reg.AddMinutes(10), state: "closed", root: LeakId, handled: reg.AddHours(60),
            extended: (reg.AddHours(40), reg.AddHours(72)));
        Ids["C4"] = await records.ComplaintAsync(b, L(5, 9), counted: true, urgency: 30, contacted: null, state: "dispatched", root: FeeId, level: 2, repeatOf: Ids["C1"]);
        Ids["C5"] = await records.ComplaintAsync(a, L(26, 9, 30), counted: true, urgency: 120, contacted: null, state: "dispatched");
        Ids["M1"] = await records.ComplaintAsync(a, L(2, 11), counted: true, urgency: 30, contacted: L(2, 11, 5), state: "dispatched", mergedInto: Ids["C1"]);
        Ids["N1"] = await records.ComplaintAsync(a, L(6, 9), counted: false, urgency: 30, contacted: L(6, 9, 5), state: "dispatched");
        Ids["U1"] = await records.ComplaintAsync(a, L(7, 9), counted: null, urgency: 30, contacted: L(7, 9, 5), state: "dispatched");
        Ids["O1"] = await records.ComplaintAsync(a, L(20, 9, month: 10), counted: true, urgency: 30, contacted: L(20, 9, 10, month: 10), state: "dispatched");

        await records.ContactAsync(L(8, 10), "consultation", true);
        await records.ContactAsync(L(9, 10), "consultation", true);
        await records.ContactAsync(L(10, 10), "consultation", true);
        await records.ContactAsync(L(11, 10), "consultation", false);
        var k5 = await records.ContactAsync(L(13, 10), "consultation", false);
        await ExecuteAsync("UPDATE contacts SET handover_to_id = @h, handover_at = received_at WHERE id = @k5", new { h = W.Handler.Id, k5 });
        await ExecuteAsync("""
            INSERT INTO return_visit_tasks (kind, contact_id, customer_id, department_id, state, due_at, scheduled_at, outcome, created_at, completed_at)
            VALUES ('consultation', @k5, @c, @a, 'done', @t, @t, 'satisfied', @t, @t)
            """, new { k5, c = W.CustomerId, a, t = L(14, 10) });
        Ids["K5"] = k5;
        await records.ContactAsync(L(12, 10), "inquiry", null);
        await records.ContactAsync(L(12, 10, month: 10), "consultation", true);

        Ids["E1"] = await records.EmergencyAsync(a, L(10, 8), L(10, 9, 30));
        Ids["E2"] = await records.EmergencyAsync(b, L(12, 8), L(12, 10, 30));
        Ids["E3"] = await records.EmergencyAsync(a, L(26, 9, 30), null);
        Ids["E4"] = await records.EmergencyAsync(a, L(20, 8), null);
    }
}
