using ServiceHub.Data.Admin;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;

namespace ServiceHub.Tests.Reports;

/// <summary>Every KPI formula of DOMAIN.md §6 on the hand-checked data set of <see cref="KpiFixture"/>.</summary>
public sealed class KpiTests(KpiFixture f) : IClassFixture<KpiFixture>
{
    private Task<KpiFigures> November(Actor? actor = null, int? department = null) =>
        f.Kpi.FiguresAsync(actor ?? f.Leader, KpiQuery.Month(2026, 11, department));

    private async Task<long[]> ComplaintIds(KpiSet set, Actor? actor = null, int? department = null, StatisticsDimension? by = null, string? key = null, string? month = null)
    {
        var page = await f.Kpi.ComplaintsAsync(actor ?? f.Leader, new KpiDrill(KpiQuery.Month(2026, 11, department), set, by, key, month), 0, 100);
        Assert.Equal(page.Total, page.Items.Count);
        return page.Items.Select(i => i.Id).Order().ToArray();
    }

    private long[] Of(params string[] names) => names.Select(n => f.Ids[n]).Order().ToArray();

    [Fact]
    public async Task The_rollup_and_the_rows_give_the_same_hand_checked_figures()
    {
        var complaintSets = Enum.GetValues<KpiSet>().Where(s => KpiSql.FamilyOf(s) == KpiFamily.Complaints).ToArray();
        foreach (var dept in new int?[] { null, f.W.DepartmentId, f.W.OtherDepartmentId })
        {
            var q = KpiQuery.Month(2026, 11, dept);
            Assert.True(KpiRollup.Covers(q.From, q.To));
            var rolled = await f.Kpi.FiguresAsync(f.Leader, q);
            var live = await f.Kpi.FiguresLiveAsync(f.Leader, q);
            Assert.Equal(complaintSets.Select(s => live[s]), complaintSets.Select(s => rolled[s]));
            var trend = new KpiQuery(new Month(2026, 10).Start, new Month(2026, 12).Start, dept);
            Assert.Equal((await f.Kpi.MonthlyLiveAsync(f.Leader, trend)).Select(m => complaintSets.Select(s => m.Figures[s]).ToArray()),
                (await f.Kpi.MonthlyAsync(f.Leader, trend)).Select(m => complaintSets.Select(s => m.Figures[s]).ToArray()));
        }
        // The hand-checked November of the whole company (C1–C5; C1's group with M1's voice; C4 a repeat, C5 not yet due).
        var k = await November();
        Assert.Equal((5, new KpiRate(2, 4), new KpiRate(2, 4), 2, 1, 1, 2, 1), (k.Complaints, k.ReplyOnTime, k.ContactOnTime, k.Escalated,
            k.EscalatedLevel1, k.EscalatedLevel2, k.Closed, k.Repeat));
        var statistics = f.Get<ComplaintStatistics>();
        foreach (var by in Enum.GetValues<StatisticsDimension>())
        {
            var sq = new StatisticsQuery(KpiFixture.November.From, KpiFixture.November.To, by);
            var (rows, live) = (await statistics.CountAsync(f.Leader, sq), await statistics.CountLiveAsync(f.Leader, sq));
            Assert.Equal((live.Counted, live.AwaitingVerification, live.NotCounted), (rows.Counted, rows.AwaitingVerification, rows.NotCounted));
            Assert.Equal(live.Rows.OrderBy(r => r.Key, StringComparer.Ordinal), rows.Rows.OrderBy(r => r.Key, StringComparer.Ordinal));
        }
        var byCause = await statistics.CountAsync(f.Leader, new StatisticsQuery(KpiFixture.November.From, KpiFixture.November.To, StatisticsDimension.RootCause));
        Assert.Equal((5, 1, 1), (byCause.Counted, byCause.AwaitingVerification, byCause.NotCounted)); // U1 awaiting, N1 not counted
        Assert.Equal(2, byCause.Rows.Single(r => r.Key == f.LeakId.ToString()).Complaints); // C1 (with M1) and C3
        Assert.Equal(3, byCause.Rows.Single(r => r.Key == f.LeakId.ToString()).Times); // C1, M1, C3: M1's voice counts with C1
    }

    [Fact]
    public async Task Complaints_are_counted_verified_and_counted_only_and_a_merged_group_once()
    {
        var k = await November();
        Assert.Equal(5, k.Complaints); // C1–C5; not M1 (merged into C1), N1 (not counted), U1 (awaiting), O1 (October)
        Assert.Equal(Of("C1", "C2", "C3", "C4", "C5"), await ComplaintIds(KpiSet.Complaints));
    }

    [Fact]
    public async Task Replies_within_48_hours_respect_the_agreed_extension_and_count_only_what_is_due()
    {
        var k = await November();
        // Measured: C1, C2, C3 replied; C4 not replied and past its deadline; C5 not yet due. On time: C1 (24 h), C3 (60 h, extended to 72 h).
        Assert.Equal(new KpiRate(2, 4), k.ReplyOnTime);
        Assert.Equal(50.0m, k.ReplyOnTime.Percent);
        Assert.Equal(Of("C1", "C3"), await ComplaintIds(KpiSet.ReplyOnTime));
        Assert.Equal(Of("C2", "C4"), await ComplaintIds(KpiSet.ReplyLate));
    }

    [Fact]
    public async Task First_contact_within_the_dispatch_deadline()
    {
        var k = await November();
        Assert.Equal(new KpiRate(2, 4), k.ContactOnTime); // C1 (20 of 30 min), C3 (10 of 30) of C1–C4; C5's 2 h are not over
        Assert.Equal(Of("C2", "C4"), await ComplaintIds(KpiSet.ContactLate));
    }

    [Fact]
    public async Task Escalations_by_level_closures_and_repeat_complaints()
    {
        var k = await November();
        Assert.Equal((2, 1, 1), (k.Escalated, k.EscalatedLevel1, k.EscalatedLevel2));
        Assert.Equal(Of("C2"), await ComplaintIds(KpiSet.EscalatedLevel1));
        Assert.Equal(Of("C4"), await ComplaintIds(KpiSet.EscalatedLevel2));
        Assert.Equal(2, k.Closed);
        Assert.Equal(40.0m, k.ClosureRate.Percent);
        Assert.Equal(1, k.Repeat);
        Assert.Equal(Of("C4"), await ComplaintIds(KpiSet.Repeat));
    }

    [Fact]
    public async Task Consultation_satisfaction_is_satisfied_consultations_over_all_consultations_of_the_month()
    {
        var k = await November();
        // K5 was not satisfied at the contact but satisfied at the callback; the inquiry and October's consultation do not count.
        Assert.Equal(new KpiRate(4, 5), k.ConsultationSatisfaction);
        Assert.Equal(80.0m, k.ConsultationSatisfaction!.Percent);
        var page = await f.Kpi.ConsultationsAsync(f.Leader, new KpiDrill(KpiFixture.November, KpiSet.ConsultationsNotSatisfied), 0, 10);
        Assert.Equal(false, Assert.Single(page.Items).Satisfied);
        var satisfied = await f.Kpi.ConsultationsAsync(f.Leader, new KpiDrill(KpiFixture.November, KpiSet.ConsultationsSatisfied), 0, 10);
        Assert.Contains(satisfied.Items, i => i.Id == f.Ids["K5"]);
    }

    [Fact]
    public async Task Emergencies_on_site_within_2_hours_with_mean_and_longest_arrival()
    {
        var k = await November();
        Assert.Equal(4, k.Emergencies);
        Assert.Equal(new KpiRate(1, 3), k.EmergencyOnTime); // E1 on time; E2 late, E4 overdue; E3 still within its 2 h
        Assert.Equal(120, k.MeanArrivalMinutes!.Value, 3);
        Assert.Equal(150, k.MaxArrivalMinutes!.Value, 3);
        var late = await f.Kpi.EmergenciesAsync(f.Leader, new KpiDrill(KpiFixture.November, KpiSet.EmergencyLate), 0, 10);
        Assert.Equal(Of("E2", "E4"), late.Items.Select(i => (long)i.Id).Order().ToArray());
        Assert.Equal(150, late.Items.Single(i => i.Id == f.Ids["E2"]).ArrivalMinutes!.Value, 3);
    }

    [Fact]
    public async Task Every_drill_down_lists_exactly_the_records_behind_its_figure()
    {
        var k = await November();
        foreach (var set in Enum.GetValues<KpiSet>())
        {
            var d = new KpiDrill(KpiFixture.November, set);
            var total = KpiSql.FamilyOf(set) switch
            {
                KpiFamily.Complaints => (await f.Kpi.ComplaintsAsync(f.Leader, d, 0, 1)).Total,
                KpiFamily.Consultations => (await f.Kpi.ConsultationsAsync(f.Leader, d, 0, 1)).Total,
                _ => (await f.Kpi.EmergenciesAsync(f.Leader, d, 0, 1)).Total,
            };
            Assert.True(k[set] == total, $"{set}: figure {k[set]}, list {total}");
        }
    }

    [Fact]
    public async Task Breakdowns_count_as_the_statistics_do_and_each_bar_drills_to_its_complaints()
    {
        var byCause = await f.Kpi.BreakdownAsync(f.Leader, KpiFixture.November, StatisticsDimension.RootCause);
        var leak = byCause.Rows.Single(r => r.Key == f.LeakId.ToString());
        Assert.Equal(2, leak.Complaints);
        Assert.Equal(3, leak.Times); // C1 with its merged M1, and C3
        Assert.Equal(Of("C1", "C3"), await ComplaintIds(KpiSet.Complaints, by: StatisticsDimension.RootCause, key: leak.Key));
        var unset = byCause.Rows.Single(r => r.Key is null);
        Assert.Equal(Of("C2", "C5"), await ComplaintIds(KpiSet.Complaints, by: StatisticsDimension.RootCause, key: null));
        Assert.Equal(2, unset.Complaints);

        foreach (var by in Enum.GetValues<StatisticsDimension>())
        {
            var rows = await f.Kpi.BreakdownAsync(f.Leader, KpiFixture.November, by);
            Assert.Equal(5, rows.Counted);
            foreach (var row in rows.Rows)
                Assert.Equal(row.Complaints, (await ComplaintIds(KpiSet.Complaints, by: by, key: row.Key)).Length);
        }
        var visits = await f.Kpi.BreakdownAsync(f.Leader, KpiFixture.November, StatisticsDimension.Channel);
        Assert.Equal(1, visits.Rows.Single(r => r.Key == "visit").Complaints);
    }

    [Fact]
    public async Task The_monthly_trend_has_every_month_and_a_month_drills_to_its_complaints()
    {
        var months = await f.Kpi.MonthlyAsync(f.Leader, new KpiQuery(KpiFixture.L(1, 0, month: 9), KpiFixture.L(1, 0, month: 12)));
        Assert.Equal(["2026-09", "2026-10", "2026-11"], months.Select(m => m.Month).ToArray());
        Assert.Equal([0, 1, 5], months.Select(m => m.Figures.Complaints).ToArray());
        Assert.Equal(100.0m, months[1].Figures.ConsultationSatisfaction!.Percent);
        Assert.Null(months[0].Figures.ConsultationSatisfaction!.Percent);
        var october = await f.Kpi.ComplaintsAsync(f.Leader, new KpiDrill(KpiQuery.Year(2026), KpiSet.Complaints, Month: "2026-10"), 0, 10);
        Assert.Equal(f.Ids["O1"], Assert.Single(october.Items).Id);
    }

    [Fact]
    public async Task A_department_manager_sees_their_own_department_only()
    {
        var manager = f.W.Manager; // department A
        var k = await November(manager);
        Assert.Equal(4, k.Complaints); // C1, C2, C3, C5 — not B's C4
        Assert.Equal((1, 0), (k.Escalated, k.Repeat));
        Assert.Equal(3, k.Emergencies); // E1, E3, E4
        Assert.Equal(new KpiRate(1, 1), k.ConsultationSatisfaction); // K5, handed over to the department
        Assert.Equal(Of("C1", "C2", "C3", "C5"), await ComplaintIds(KpiSet.Complaints, manager));
        Assert.Equal(4, (await f.Kpi.BreakdownAsync(manager, KpiFixture.November, StatisticsDimension.Department)).Counted);

        var other = f.W.OtherDepartmentId;
        await Assert.ThrowsAsync<ForbiddenException>(() => November(manager, other));
        await Assert.ThrowsAsync<ForbiddenException>(() => f.Kpi.ComplaintsAsync(manager, new KpiDrill(KpiQuery.Month(2026, 11, other), KpiSet.Repeat), 0, 10));
        await Assert.ThrowsAsync<ForbiddenException>(() => f.Kpi.BreakdownAsync(manager, KpiQuery.Month(2026, 11, other), StatisticsDimension.Project));
        Assert.Equal(f.Ids["K5"], Assert.Single((await f.Kpi.ConsultationsAsync(manager, new KpiDrill(KpiFixture.November, KpiSet.Consultations), 0, 10)).Items).Id);

        // Leadership may narrow to any department.
        Assert.Equal(1, (await November(f.Leader, other)).Complaints);
    }

    [Fact]
    public async Task Roles_without_a_view_of_the_figures_are_refused()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => November(f.W.Handler));
        await Assert.ThrowsAsync<ForbiddenException>(() => November(f.W.Agent));
        await Assert.ThrowsAsync<ForbiddenException>(() => f.Kpi.ComplaintsAsync(f.W.Handler, new KpiDrill(KpiFixture.November, KpiSet.Complaints), 0, 10));
    }
}
