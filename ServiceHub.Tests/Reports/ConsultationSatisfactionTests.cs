using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Reports;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>One definition of a satisfied consultation for the dashboard, the annual report and the return-visit team's figures.</summary>
public sealed class ConsultationSatisfactionTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    [Fact]
    public async Task A_satisfaction_callback_overrides_the_opinion_recorded_at_intake_in_every_figure()
    {
        IntakeForm Consultation(bool satisfied) => new()
        {
            Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = _w.CustomerId, UnitId = _w.UnitId,
            Content = "询问物业费缴纳方式", Answer = "可在物业服务中心缴纳", Satisfied = satisfied,
        };
        var unhappyAtIntake = (await _w.Intake.RegisterAsync(_w.Agent, Consultation(false))).ContactId;
        await _w.Intake.RegisterAsync(_w.Agent, Consultation(true));
        await _w.Intake.RegisterAsync(_w.Agent, Consultation(false));
        // The sampled callback reached the first customer, who is satisfied after all.
        await using (var conn = new NpgsqlConnection(Db.ConnectionString))
            await conn.ExecuteAsync("""
                INSERT INTO return_visit_tasks (kind, contact_id, customer_id, state, due_at, scheduled_at, created_at, completed_at, outcome)
                VALUES ('consultation', @unhappyAtIntake, @customer, 'done', @now, @now, @now, @now, 'satisfied')
                """, new { unhappyAtIntake, customer = _w.CustomerId, now = _s.Clock.GetUtcNow() });

        var leader = new Actor(_w.VpId, "vp", "领导", [Roles.Leadership], null);
        var kpi = await _s.Get<KpiService>().FiguresAsync(leader, KpiQuery.Month(2026, 11));
        Assert.Equal(new KpiRate(2, 3), kpi.ConsultationSatisfaction);
        var team = (await _s.Get<ReturnVisitAnalysisRepository>().SatisfactionAsync(new Actor(_w.Agent.Id, "sv", "主管", [Roles.CsSupervisor], null), 1))
            .Single(r => r.DepartmentId is null);
        Assert.Equal((2, 3), (team.Satisfied, team.All));
        var drilled = await _s.Get<KpiService>().ConsultationsAsync(leader, new KpiDrill(KpiQuery.Month(2026, 11), KpiSet.ConsultationsSatisfied), 0, 10);
        Assert.Contains(drilled.Items, i => i.Id == unhappyAtIntake);
    }
}
