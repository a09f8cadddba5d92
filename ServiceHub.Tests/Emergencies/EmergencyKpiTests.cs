using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;
using static ServiceHub.Tests.Emergencies.EmergencyTestData;

namespace ServiceHub.Tests.Emergencies;

/// <summary>The KPI "on site within 2 h" and the annual report's arrival figures count from the event, not from the report.</summary>
public sealed class EmergencyKpiTests(EmergencyFixture db) : IClassFixture<EmergencyFixture>
{
    [Fact]
    public async Task On_site_within_two_hours_and_the_arrival_minutes_count_from_when_it_happened()
    {
        var at = FreshDay(db.S.Clock);
        db.S.Clock.SetUtcNow(at(11, 30, 0)); // all three happened at 10:00 and were reported at 11:30
        var agent = await db.ActorAsync("agent");
        var onTime = await db.Emergencies.ReportAsync(agent, await ReportAsync(db.DataSource, at(11, 30, 0), occurredAt: at(10, 0, 0)));
        var late = await db.Emergencies.ReportAsync(agent, await ReportAsync(db.DataSource, at(11, 30, 0), occurredAt: at(10, 0, 0)));
        var notFirstClass = await db.Emergencies.ReportAsync(agent, await ReportAsync(db.DataSource, at(11, 30, 0), kind: EmergencyKinds.Other, occurredAt: at(10, 0, 0)));
        await db.Emergencies.ConfirmAsync(await db.ActorAsync("supervisor"), notFirstClass, false, "不属于一类");

        db.S.Clock.SetUtcNow(at(12, 10, 0));
        var manager = await db.ActorAsync("pmmanager");
        await db.Emergencies.RecordArrivalAsync(manager, onTime, at(11, 59, 59)); // 29 min after the report, 119 min 59 s after the event
        await db.Emergencies.RecordArrivalAsync(manager, late, at(12, 0, 1));

        var local = BusinessTime.ToLocal(at(10, 0, 0));
        var k = await db.S.Get<KpiService>().FiguresAsync(await db.ActorAsync("leader"), KpiQuery.Month(local.Year, local.Month));
        Assert.Equal(2, k.Emergencies); // the one judged not first-class is left out
        Assert.Equal(new KpiRate(1, 2), k.EmergencyOnTime);
        Assert.Equal(120, k.MeanArrivalMinutes!.Value, 6);
        Assert.Equal(120 + 1 / 60d, k.MaxArrivalMinutes!.Value, 6);
        var lateList = await db.S.Get<KpiService>().EmergenciesAsync(await db.ActorAsync("leader"), new KpiDrill(KpiQuery.Month(local.Year, local.Month), KpiSet.EmergencyLate), 0, 10);
        Assert.Equal(late, Assert.Single(lateList.Items).Id);

        var year = (await db.S.Get<AnnualReportService>().ComputeAsync(Actor.System, local.Year)).Current;
        Assert.Equal((2, new KpiRate(1, 2)), (year.Emergencies, year.EmergencyOnTime));
        Assert.Equal(120 + 1 / 60d, year.MaxArrivalMinutes!.Value, 6);
    }
}
