using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

public sealed class AnalysisTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    private ReturnVisitAnalysisRepository Analysis => _s.Get<ReturnVisitAnalysisRepository>();

    private Task<IntakeResult> ConsultationAsync(bool satisfied) => _w.W.Intake.RegisterAsync(_w.W.Agent, new IntakeForm
    {
        Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = _w.W.CustomerId, Content = "交房时间？", Answer = "预计下月交房。", Satisfied = satisfied,
    });

    [Fact]
    public async Task The_monthly_consultation_satisfaction_rate_is_satisfied_over_all_consultations_against_the_90_percent_target()
    {
        for (var i = 0; i < 8; i++) await ConsultationAsync(true);
        for (var i = 0; i < 2; i++) await ConsultationAsync(false);
        var month = Month.Of(_s.Clock.GetUtcNow()).ToString();
        var rows = await Analysis.SatisfactionAsync(_w.Supervisor);
        var cs = Assert.Single(rows, r => r.Month == month && r.DepartmentId == _w.W.CsDepartmentId);
        Assert.True(cs.All >= 10);
        var company = Assert.Single(rows, r => r.Month == month && r.DepartmentId is null);
        Assert.Equal(Math.Round(100m * company.Satisfied / company.All, 1, MidpointRounding.AwayFromZero), company.Rate.Percent);
        Assert.Equal(company.Satisfied * 100 >= 90 * company.All, company.MeetsTarget);
        await Assert.ThrowsAsync<ForbiddenException>(() => Analysis.SatisfactionAsync(_w.W.Handler));
    }

    [Fact]
    public async Task Consultations_are_sampled_once_for_satisfaction_callbacks_and_the_callback_outcome_counts()
    {
        var first = await ConsultationAsync(true);
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { ConsultationSamplePercent = 100 });
        var period = Month.Of(_s.Clock.GetUtcNow()).ToString();
        Assert.True(await _w.Visits.SampleConsultationsAsync(_w.Supervisor, period) >= 1);
        Assert.Equal(0, await _w.Visits.SampleConsultationsAsync(_w.Supervisor, period));
        var taskId = await _w.ScalarAsync<long>("SELECT id FROM return_visit_tasks WHERE contact_id = @c", new { c = first.ContactId });
        var before = Assert.Single(await Analysis.SatisfactionAsync(_w.Supervisor), r => r.Month == period && r.DepartmentId is null);
        await _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, new AttemptForm { Result = AttemptResults.Reached, Outcome = Outcomes.NotSatisfied, CustomerWords = "答复不清楚" });
        var after = Assert.Single(await Analysis.SatisfactionAsync(_w.Supervisor), r => r.Month == period && r.DepartmentId is null);
        Assert.Equal(before.Satisfied - 1, after.Satisfied);
    }

    [Fact]
    public async Task The_department_lead_writes_an_analysis_with_the_figures_filled_in_and_the_working_group_tracks_the_plan_to_done()
    {
        var lead = new Actor(_w.W.Handler.Id, _w.W.Handler.UserName, "处理人", [Roles.Handler], _w.W.DepartmentId);
        await _w.ScalarAsync<int>("UPDATE departments SET return_visit_lead_id = @h WHERE id = @d RETURNING 1", new { h = lead.Id, d = _w.W.DepartmentId });
        var satisfied = await _w.HandledComplaintAsync();
        var unhappy = await _w.HandledComplaintAsync();
        await _w.Visits.RecordAttemptAsync(_w.Visitor, await _w.TaskOfAsync(satisfied), new AttemptForm { Result = AttemptResults.Reached, Outcome = Outcomes.Satisfied });
        await _w.Visits.RecordAttemptAsync(_w.Visitor, await _w.TaskOfAsync(unhappy), new AttemptForm { Result = AttemptResults.Reached, Outcome = Outcomes.NotSatisfied, CustomerWords = "还漏" });
        var period = Month.Of(_s.Clock.GetUtcNow()).ToString();

        var f = await Analysis.FiguresAsync(Actor.System, _w.W.DepartmentId, period);
        Assert.Equal((2, 1, 1), (f.Visits, f.Satisfied, f.NotSatisfied));
        Assert.Contains("(2)", f.TopReasons);

        await Assert.ThrowsAsync<ForbiddenException>(() => Analysis.SubmitAnalysisAsync(_w.W.OtherHandler, _w.W.DepartmentId, period, "分析"));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Analysis.SubmitAnalysisAsync(lead, _w.W.DepartmentId, period, " "));
        Assert.Equal("Validation.Required", ex.Errors["Analysis"].Code);
        await Analysis.SubmitAnalysisAsync(lead, _w.W.DepartmentId, period, "渗漏问题集中在顶层，需加强防水验收。");
        var row = Assert.Single(await Analysis.AnalysesAsync(_w.Supervisor, period), a => a.DepartmentId == _w.W.DepartmentId);
        Assert.Equal((2, 1, 1), (row.Visits, row.Satisfied, row.NotSatisfied));

        await Assert.ThrowsAsync<ForbiddenException>(() => Analysis.SavePlanAsync(lead, period, "意见", "", null));
        ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Analysis.SavePlanAsync(_w.Supervisor, period, "意见", "方案", null));
        Assert.Equal("ReturnVisit.MeetingDateRequired", ex.Errors["DecidedAt"].Code);
        var planId = await Analysis.SavePlanAsync(_w.Supervisor, period, "建议加强防水验收", "公司会议决定：顶层防水专项整改", new DateOnly(2026, 11, 30));
        var actionId = await Analysis.AddActionAsync(_w.Supervisor, planId, "顶层防水专项检查", _w.W.DepartmentId, new DateOnly(2026, 12, 31));
        await Analysis.MarkDoneAsync(_w.Visitor, actionId);
        await Assert.ThrowsAsync<DomainException>(() => Analysis.MarkDoneAsync(_w.Visitor, actionId));
        var action = Assert.Single(await Analysis.ActionsAsync(Actor.System, planId));
        Assert.NotNull(action.DoneAt);
        Assert.Equal("公司会议决定：顶层防水专项整改", (await Analysis.PlanAsync(Actor.System, period))!.DecidedPlan);
    }
}
