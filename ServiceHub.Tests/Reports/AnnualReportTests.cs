using Dapper;
using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;
using ServiceHub.Jobs.Reports;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>The Annual Service Review Report (DOMAIN.md §5) on the hand-checked data set of <see cref="AnnualReportFixture"/>.</summary>
public sealed class AnnualReportTests(AnnualReportFixture f) : IClassFixture<AnnualReportFixture>
{
    [Fact]
    public async Task Totals_and_rates_of_the_year_stand_beside_the_previous_year()
    {
        var c = await f.Reports.ComputeAsync(Actor.System, 2026);
        var now = c.Current;
        // C1, C2, C3; not M1 (merged into C1), N1 (not counted), U1 (awaiting verification).
        Assert.Equal((3, 1, 1), (now.Complaints, now.AwaitingVerification, now.NotCounted));
        Assert.Equal(new KpiRate(1, 2), now.ReplyOnTime);          // C1 in 24 h; C2 in 50 h; C3's deadline extended to 2027-02-01, not yet due
        Assert.Equal(new KpiRate(1, 3), now.ContactOnTime);        // C1 in 20 of 30 min
        Assert.Equal((2, 1, 1), (now.Escalated, now.EscalatedLevel1, now.EscalatedLevel2));
        Assert.Equal(new KpiRate(1, 3), now.ClosureRate);
        Assert.Equal(1, now.Repeat);
        Assert.Equal(new KpiRate(2, 3), now.ConsultationSatisfaction);
        Assert.Equal(66.7m, now.ConsultationSatisfaction.Percent);
        Assert.Equal(new KpiRate(1, 2), now.ReturnVisitSatisfaction);
        Assert.Equal(2, now.Emergencies);
        Assert.Equal(new KpiRate(1, 2), now.EmergencyOnTime);      // E1 90 min; E2 150 min
        Assert.Equal((120d, 150d), (now.MeanArrivalMinutes, now.MaxArrivalMinutes));
        Assert.Equal(new KpiRate(1, 2), c.PlanImplementation);

        var before = c.Previous;
        Assert.Equal(1, before.Complaints);
        Assert.Equal(new KpiRate(1, 1), before.ReplyOnTime);
        Assert.Equal(new KpiRate(1, 1), before.ClosureRate);
        Assert.Equal(new KpiRate(1, 1), before.ConsultationSatisfaction);
        Assert.Equal(0, before.Emergencies);
        Assert.Null(before.EmergencyOnTime.Percent);
    }

    [Fact]
    public async Task The_same_figures_as_the_kpi_core_for_the_year()
    {
        var c = await f.Reports.ComputeAsync(Actor.System, 2026);
        var k = await f.S.Get<KpiService>().FiguresAsync(f.Leader, KpiQuery.Year(2026));
        Assert.Equal((k.Complaints, k.ReplyOnTime, k.ContactOnTime, k.Escalated, k.ClosureRate, k.Repeat, k.ConsultationSatisfaction, k.EmergencyOnTime),
            (c.Current.Complaints, c.Current.ReplyOnTime, c.Current.ContactOnTime, c.Current.Escalated, c.Current.ClosureRate, c.Current.Repeat,
             (KpiRate?)c.Current.ConsultationSatisfaction, c.Current.EmergencyOnTime));
    }

    [Fact]
    public async Task Root_causes_departments_months_emergencies_and_the_working_groups_plan()
    {
        var c = await f.Reports.ComputeAsync(Actor.System, 2026);
        Assert.Equal([("渗漏", 2, 0), ("收费争议", 1, 1)], c.RootCauses.Select(r => (r.Name, r.Complaints, r.PreviousComplaints)).ToList());

        var a = c.Departments.Single(d => d.DepartmentId == f.W.DepartmentId);
        Assert.Equal((2, 1), (a.Complaints, a.PreviousComplaints));
        Assert.Equal((new KpiRate(1, 2), new KpiRate(1, 2), 1, new KpiRate(1, 2)), (a.ReplyOnTime, a.ContactOnTime, a.Escalated, a.ClosureRate));
        Assert.Equal((1, new KpiRate(1, 1), new KpiRate(1, 2)), (a.Emergencies, a.EmergencyOnTime, a.ReturnVisitSatisfaction));
        var b = c.Departments.Single(d => d.DepartmentId == f.W.OtherDepartmentId);
        Assert.Equal((1, 0, 1, 1, new KpiRate(0, 1)), (b.Complaints, b.PreviousComplaints, b.Repeat, b.Emergencies, b.EmergencyOnTime));
        Assert.Equal(new KpiRate(0, 0), b.ReplyOnTime); // extended, not yet due
        Assert.Equal(a, c.Departments[0]); // most complaints first

        Assert.Equal(12, c.Months.Count);
        var march = c.Months.Single(m => m.Month == "2026-03");
        Assert.Equal((new KpiRate(2, 3), new KpiRate(1, 1), new KpiRate(1, 2), 2),
            (march.ConsultationSatisfaction, march.PreviousConsultationSatisfaction, march.ReturnVisitSatisfaction, march.Complaints));
        Assert.Equal(1, c.Months.Single(m => m.Month == "2026-07").Complaints);

        var fire = Assert.Single(c.EmergencyKinds);
        Assert.Equal(("fire_explosion", 2, 0, new KpiRate(1, 2), 120d), (fire.Kind, fire.Emergencies, fire.PreviousEmergencies, fire.OnTime, fire.MeanArrivalMinutes));

        var analysis = Assert.Single(c.Analyses);
        Assert.Equal(("2026-03", 2, 1, "雨季渗漏集中"), (analysis.Period, analysis.Visits, analysis.Satisfied, analysis.Analysis));
        var plan = Assert.Single(c.Plans);
        Assert.Equal(("加强防水维修", "全面排查屋面", new KpiRate(1, 2)), (plan.FinalOpinion, plan.DecidedPlan, plan.Implementation));
        Assert.True(plan.Actions[0].DoneOnTime);
        Assert.Null(plan.Actions[1].DoneAt);
    }

    [Fact]
    public async Task The_job_is_scheduled_for_5_January_at_02_00_Beijing_time_within_the_month_after_the_year_ends()
    {
        var jobs = new RecordingJobManager();
        var services = new ServiceCollection().AddSingleton<IRecurringJobManager>(jobs).BuildServiceProvider();
        services.RegisterServiceHubJobs();
        var (cron, options) = jobs.Added[AnnualReportJob.Id];
        Assert.Equal("0 2 5 1 *", cron);
        Assert.Equal("Asia/Shanghai", options.TimeZone.Id);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task The_job_produces_last_year_once_and_a_new_version_only_when_asked()
    {
        var job = new AnnualReportJob(f.Reports, f.S.Clock, NullLogger<AnnualReportJob>.Instance);
        await job.RunAsync(CancellationToken.None);
        await job.RunAsync(CancellationToken.None);
        var versions = await f.Reports.VersionsAsync(f.Leader, 2026);
        var first = Assert.Single(versions);
        Assert.Equal((2026, 1, (int?)null, "system"), (first.Year, first.Version, first.ProducedBy, first.ProducedByName));

        var again = await f.Reports.ProduceAsync(f.Supervisor, 2026);
        Assert.False(again.Created);
        Assert.Equal(1, again.Version.Version);

        var asked = await f.Reports.ProduceAsync(f.Supervisor, 2026, newVersion: true);
        Assert.True(asked.Created);
        Assert.Equal((2, (int?)f.Supervisor.Id), (asked.Version.Version, asked.Version.ProducedBy));
        Assert.Equal([2, 1], (await f.Reports.VersionsAsync(f.Leader, 2026)).Select(v => v.Version));
        var latest = await f.Reports.GetAsync(f.Leader, 2026);
        Assert.Equal(2, latest!.Version.Version);
        Assert.Equal(3, latest.Content.Current.Complaints);
    }

    [Fact]
    public async Task A_stored_version_cannot_be_changed_or_deleted()
    {
        var produced = await f.Reports.ProduceAsync(f.Leader, 2025);
        var stored = await f.Reports.GetAsync(f.Leader, 2025, produced.Version.Version);
        Assert.Equal(1, stored!.Content.Current.Complaints);
        await using var conn = await f.DataSource.OpenConnectionAsync();
        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            conn.ExecuteAsync("UPDATE annual_reports SET content = '{}'::jsonb WHERE id = @Id", new { produced.Version.Id }));
        Assert.Contains("immutable", update.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("DELETE FROM annual_reports WHERE id = @Id", new { produced.Version.Id }));
        Assert.Equal(1, (await f.Reports.GetAsync(f.Leader, 2025, produced.Version.Version))!.Content.Current.Complaints);
    }

    [Fact]
    public async Task Only_leadership_and_the_CS_supervisor_produce_or_read_reports()
    {
        Actor[] refused = [f.W.Manager, f.W.Handler, f.W.Agent, Build.Actor(f.W.VpId, Roles.Admin), Build.Actor(f.W.VpId, Roles.Hr)];
        foreach (var actor in refused)
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => f.Reports.ProduceAsync(actor, 2024, newVersion: true));
            await Assert.ThrowsAsync<ForbiddenException>(() => f.Reports.VersionsAsync(actor));
            await Assert.ThrowsAsync<ForbiddenException>(() => f.Reports.GetAsync(actor, 2026));
        }
        Assert.Empty(await f.Reports.VersionsAsync(f.Supervisor, 2024));
    }

    [Fact]
    public async Task A_future_year_is_refused_at_the_year_field()
    {
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => f.Reports.ProduceAsync(f.Leader, 2028));
        Assert.Equal("AnnualReport.YearNotReportable", ex.Errors["Year"].Code);
    }

    private sealed class RecordingJobManager : IRecurringJobManager
    {
        public Dictionary<string, (string Cron, RecurringJobOptions Options)> Added { get; } = [];
        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options) => Added[recurringJobId] = (cronExpression, options);
        public void Trigger(string recurringJobId) { }
        public void RemoveIfExists(string recurringJobId) { }
    }
}
