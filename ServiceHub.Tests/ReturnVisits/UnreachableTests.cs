using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Reports;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

/// <summary>
/// A return visit that cannot reach the customer ends (issue #11 point 5): the return-visit lead closes it as unreachable once its
/// attempts failed on enough different days; the complaint closes by the one-week rule; the visit is shown apart in the figures.
/// </summary>
public sealed class UnreachableTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    private static readonly AttemptForm NoAnswer = new() { Result = AttemptResults.NoAnswer };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // Visitor2 leads the CS department's return visits (the team); Visitor is a team member.
        await _w.ScalarAsync<int>("UPDATE departments SET return_visit_lead_id = @v WHERE id = @cs RETURNING 1", new { v = _w.Visitor2.Id, cs = _w.W.CsDepartmentId });
    }

    /// <summary>One failed call a day, on <paramref name="days"/> different days; the clock ends on the last of them.</summary>
    private async Task FailOnDaysAsync(long taskId, int days, Actor? caller = null)
    {
        for (var i = 0; i < days; i++)
        {
            _s.Clock.Advance(TimeSpan.FromDays(1));
            var state = (await _w.Visits.GetAsync(_w.Supervisor, taskId))!.State;
            await _w.Visits.RecordAttemptAsync(state == TaskStates.Escalated ? _w.Supervisor : caller ?? _w.Visitor, taskId, NoAnswer);
        }
    }

    [Fact]
    public void Failed_attempts_count_by_business_day_in_Beijing()
    {
        // 23:30 and 00:30 Beijing are two days although the same UTC date; two failures the same day are one day; a call-back is no failure.
        AttemptRow At(int day, int hour, int minute, string result = AttemptResults.NoAnswer) =>
            new(0, BusinessTime.FromLocal(new DateTime(2026, 11, day, hour, minute, 0)), "甲", result, null, null, "");
        Assert.Equal(2, Unreachable.FailedDays([At(2, 23, 30), At(3, 0, 30)]));
        Assert.Equal(1, Unreachable.FailedDays([At(2, 9, 0), At(2, 15, 0), At(2, 19, 0, AttemptResults.Busy)]));
        Assert.Equal(1, Unreachable.FailedDays([At(2, 9, 0), At(3, 9, 0, AttemptResults.CallBack)]));
        Assert.False(Unreachable.MayClose(2, Unreachable.DefaultAfterDays));
        Assert.True(Unreachable.MayClose(3, Unreachable.DefaultAfterDays));
    }

    [Fact]
    public async Task A_visit_failing_on_three_different_days_is_closed_unreachable_by_the_lead_and_the_complaint_closes_by_the_one_week_rule()
    {
        var id = await _w.HandledComplaintAsync();
        var handledAt = _s.Clock.GetUtcNow();
        var task = await _w.TaskOfAsync(id);

        // Three failures the same day are one day: not yet.
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { MaxFailedAttempts = 10 });
        for (var i = 0; i < 3; i++) await _w.Visits.RecordAttemptAsync(_w.Visitor, task, NoAnswer);
        var early = await Assert.ThrowsAsync<DomainException>(() => _w.Visits.CloseUnreachableAsync(_w.Visitor2, task, ""));
        Assert.Equal(("ReturnVisit.Unreachable.NotYet", 1, 3), (early.Code, (int)early.Args[0], (int)early.Args[1]));
        Assert.False((await _w.Visits.GetAsync(_w.Visitor2, task))!.UnreachableReady);

        await FailOnDaysAsync(task, 2);
        var ready = (await _w.Visits.GetAsync(_w.Visitor2, task))!;
        Assert.Equal((3, 3, true), (ready.FailedDays, ready.UnreachableAfterDays, ready.MayCloseUnreachable(_w.Visitor2)));
        Assert.False(ready.MayCloseUnreachable(_w.Visitor));

        await _w.Visits.CloseUnreachableAsync(_w.Visitor2, task, "三天均无人接听，短信亦未回复");
        var closed = (await _w.Visits.GetAsync(_w.Visitor2, task))!;
        Assert.Equal((TaskStates.Unreachable, null, _w.Visitor2.UserName), (closed.State, closed.Outcome, closed.CompletedByName));
        Assert.Equal(5, (await _w.Visits.AttemptsAsync(Actor.System, task)).Count);
        var ev = Assert.Single(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == ComplaintEvents.ReturnVisitUnreachable);
        Assert.Equal(5, ev.Details.Split('、').Length);
        Assert.EndsWith("三天均无人接听，短信亦未回复", ev.Details);
        Assert.NotNull((await _w.ComplaintAsync(id)).ReturnVisitUnreachableAt);
        await Assert.ThrowsAsync<DomainException>(() => _w.Visits.CloseUnreachableAsync(_w.Visitor2, task, ""));

        // As without a return visit: one week after handling, not before.
        _s.Clock.SetUtcNow(handledAt.AddDays(7).AddSeconds(-1));
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Handled, (await _w.ComplaintAsync(id)).State);
        _s.Clock.SetUtcNow(handledAt.AddDays(7));
        await _w.Sweep.RunAsync();
        var c = await _w.ComplaintAsync(id);
        Assert.Equal((ComplaintStates.Closed, CloseReasons.AutoOneWeek), (c.State, c.CloseReason));
    }

    [Fact]
    public async Task Only_a_return_visit_lead_or_the_cs_supervisor_closes_a_visit_as_unreachable_and_the_number_of_days_is_the_supervisors()
    {
        var id = await _w.HandledComplaintAsync();
        var task = await _w.TaskOfAsync(id);
        await FailOnDaysAsync(task, 3);

        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Visits.CloseUnreachableAsync(_w.Visitor, task, ""));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Visits.CloseUnreachableAsync(_w.W.Handler, task, ""));
        var tooLong = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Visits.CloseUnreachableAsync(_w.Visitor2, task, new string('无', 501)));
        Assert.Equal("Validation.TooLong", tooLong.Errors["Note"].Code);

        // Four days now: three are not enough any more.
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { UnreachableAfterDays = 4 });
        await Assert.ThrowsAsync<DomainException>(() => _w.Visits.CloseUnreachableAsync(_w.Supervisor, task, ""));
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { UnreachableAfterDays = 0 }));
        Assert.Equal("ReturnVisit.Range", bad.Errors["UnreachableAfterDays"].Code);
        await FailOnDaysAsync(task, 1);

        // The return-visit lead of the complaint's department may close it too.
        await _w.ScalarAsync<int>("UPDATE departments SET return_visit_lead_id = @v WHERE id = @d RETURNING 1", new { v = _w.Visitor.Id, d = _w.W.DepartmentId });
        await _w.Visits.CloseUnreachableAsync(_w.Visitor, task, "");
        Assert.Equal(TaskStates.Unreachable, (await _w.Visits.GetAsync(_w.Supervisor, task))!.State);
    }

    [Fact]
    public async Task An_unreachable_visit_counts_neither_satisfied_nor_dissatisfied_and_is_shown_apart_in_every_satisfaction_figure()
    {
        var reports = _s.Get<AnnualReportService>();
        var year = BusinessTime.Today(_s.Clock).Year;
        var before = (await reports.ComputeAsync(Build.Actor(1, ServiceHub.Data.Admin.Roles.Leadership), year)).Current;

        var satisfied = await _w.HandledComplaintAsync();
        await _w.Visits.RecordAttemptAsync(_w.Visitor, await _w.TaskOfAsync(satisfied), new AttemptForm { Result = AttemptResults.Reached, Outcome = Outcomes.Satisfied });
        var unreachable = await _w.HandledComplaintAsync();
        var task = await _w.TaskOfAsync(unreachable);

        // A sampled consultation whose satisfaction callback cannot reach the customer either.
        var consultation = await _w.W.Intake.RegisterAsync(_w.W.Agent, new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = _w.W.CustomerId, Content = "交房时间？", Answer = "预计下月交房。", Satisfied = false,
        });
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { ConsultationSamplePercent = 100, MaxFailedAttempts = 10 });
        await _w.Visits.SampleConsultationsAsync(_w.Supervisor, Month.Of(_s.Clock.GetUtcNow()).ToString());
        var callback = await _w.ScalarAsync<long>("SELECT id FROM return_visit_tasks WHERE contact_id = @c", new { c = consultation.ContactId });
        var month = KpiQuery.Month(BusinessTime.ToLocal(_s.Clock.GetUtcNow()).Year, BusinessTime.ToLocal(_s.Clock.GetUtcNow()).Month);
        var leader = new Actor(_w.W.VpId, "vp", "领导", [Roles.Leadership], null);
        var kpiBefore = await _s.Get<KpiService>().FiguresAsync(leader, month);

        var period = Month.Of(_s.Clock.GetUtcNow()).ToString();
        // 26, 27 and 28 November: three days, all in the month.
        for (var day = 0; day < 3; day++)
        {
            await _w.Visits.RecordAttemptAsync(_w.Visitor, task, NoAnswer);
            await _w.Visits.RecordAttemptAsync(_w.Visitor, callback, NoAnswer);
            if (day < 2) _s.Clock.Advance(TimeSpan.FromDays(1));
        }
        await _w.Visits.CloseUnreachableAsync(_w.Visitor2, task, "");
        await _w.Visits.CloseUnreachableAsync(_w.Visitor2, callback, "");

        // The department's preliminary analysis: one visit, satisfied; one unreachable apart.
        var f = await _s.Get<ReturnVisitAnalysisRepository>().FiguresAsync(Actor.System, _w.W.DepartmentId, period);
        Assert.Equal((1, 1, 0, 1), (f.Visits, f.Satisfied, f.NotSatisfied, f.Unreachable));

        // The annual report: the satisfaction rate is over the visits that reached the customer; the unreachable ones are apart.
        var after = (await reports.ComputeAsync(Build.Actor(1, ServiceHub.Data.Admin.Roles.Leadership), year)).Current;
        Assert.Equal(before.ReturnVisitSatisfaction.Numerator + 1, after.ReturnVisitSatisfaction.Numerator);
        Assert.Equal(before.ReturnVisitSatisfaction.Denominator + 1, after.ReturnVisitSatisfaction.Denominator);
        Assert.Equal(before.ReturnVisitsUnreachable + 2, after.ReturnVisitsUnreachable);

        // The dashboard and the return-visit page: the consultation keeps its answer at the contact; the callback is shown apart.
        var kpi = await _s.Get<KpiService>().FiguresAsync(leader, month);
        Assert.Equal(kpiBefore.ConsultationSatisfaction, kpi.ConsultationSatisfaction);
        Assert.Equal(kpiBefore.ConsultationCallbacksUnreachable + 1, kpi.ConsultationCallbacksUnreachable);
        var drill = await _s.Get<KpiService>().ConsultationsAsync(leader, new KpiDrill(month, KpiSet.ConsultationsCallbackUnreachable), 0, 10);
        Assert.Contains(drill.Items, i => i.Id == consultation.ContactId);
        var row = Assert.Single(await _s.Get<ReturnVisitAnalysisRepository>().SatisfactionAsync(_w.Supervisor), r => r.Month == period && r.DepartmentId is null);
        Assert.True(row.CallbacksUnreachable >= 1);
    }

    [Fact]
    public async Task The_cs_supervisor_sets_whether_a_complaint_needs_a_return_visit_with_a_reason_on_the_timeline_and_in_the_audit_log()
    {
        var id = await _w.HandledComplaintAsync();
        var handledAt = _s.Clock.GetUtcNow();
        var task = await _w.TaskOfAsync(id);

        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Lifecycle.SetReturnVisitNeedAsync(_w.Visitor, id, false, "业主明确表示不需要回访"));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Lifecycle.SetReturnVisitNeedAsync(_w.W.Handler, id, false, "业主明确表示不需要回访"));
        var noReason = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.SetReturnVisitNeedAsync(_w.Supervisor, id, false, " "));
        Assert.Equal("Validation.Required", noReason.Errors["Reason"].Code);
        var same = await Assert.ThrowsAsync<DomainException>(() => _w.Lifecycle.SetReturnVisitNeedAsync(_w.Supervisor, id, true, "再确认"));
        Assert.Equal("ReturnVisit.Need.AlreadyNeeded", same.Code);

        await _w.Lifecycle.SetReturnVisitNeedAsync(_w.Supervisor, id, false, "业主明确表示不需要回访");
        Assert.False((await _w.ComplaintAsync(id)).NeedsReturnVisit);
        Assert.Equal(TaskStates.Cancelled, (await _w.Visits.GetAsync(_w.Supervisor, task))!.State);
        Assert.Contains(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == ComplaintEvents.ReturnVisitNotNeeded && e.Details == "业主明确表示不需要回访");
        Assert.Equal(1, await _w.ScalarAsync<int>(
            "SELECT count(*) FROM audit_log WHERE entity = 'complaint' AND entity_id = @id AND user_id = @u AND details LIKE '%needs_return_visit=false%不需要回访%'",
            new { id = id.ToString(System.Globalization.CultureInfo.InvariantCulture), u = _w.Supervisor.Id }));
        _s.Clock.SetUtcNow(handledAt.AddDays(7));
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Closed, (await _w.ComplaintAsync(id)).State);

        // The other way round: a handled complaint without one gets its visit, and the clock no longer closes it.
        var other = await _w.HandledComplaintAsync(needsReturnVisit: false);
        await _w.Lifecycle.SetReturnVisitNeedAsync(_w.Supervisor, other, true, "涉及多户，需回访确认");
        Assert.Equal(TaskStates.Open, (await _w.Visits.GetAsync(_w.Supervisor, await _w.TaskOfAsync(other)))!.State);
        Assert.Contains(await _w.Complaints.TimelineAsync(Actor.System, other), e => e.Kind == ComplaintEvents.ReturnVisitNeeded);
        _s.Clock.Advance(TimeSpan.FromDays(8));
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Handled, (await _w.ComplaintAsync(other)).State);

        // Not once it is closed.
        await Assert.ThrowsAsync<DomainException>(() => _w.Lifecycle.SetReturnVisitNeedAsync(_w.Supervisor, id, true, "补充回访"));
    }
}
