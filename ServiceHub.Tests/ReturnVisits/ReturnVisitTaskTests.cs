using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

public sealed class ReturnVisitTaskTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{

    private static AttemptForm Reached(string outcome, string words = "") => new() { Result = AttemptResults.Reached, Outcome = outcome, CustomerWords = words };

    [Fact]
    public async Task Handling_a_complaint_that_needs_a_return_visit_creates_one_open_task_for_a_team_member_due_within_the_configured_time()
    {
        var handledAt = _s.Clock.GetUtcNow();
        var id = await _w.HandledComplaintAsync();
        var tasks = await _w.ScalarAsync<int>("SELECT count(*) FROM return_visit_tasks WHERE complaint_id = @id", new { id });
        Assert.Equal(1, tasks);
        var task = (await _w.Visits.GetAsync(_w.Visitor, await _w.TaskOfAsync(id)))!;
        Assert.Equal(TaskStates.Open, task.State);
        Assert.Equal(handledAt.AddHours(48), task.DueAt);
        Assert.NotNull(task.AssigneeId);
        Assert.Contains((await _w.Visits.TeamAsync()).Select(m => m.Id), m => m == task.AssigneeId);
        Assert.Equal(1, await _w.ScalarAsync<int>("SELECT count(*) FROM notifications WHERE user_id = @a AND message_key = 'ReturnVisit.Notify.Assigned' AND complaint_id = @id", new { a = task.AssigneeId, id }));
    }

    [Fact]
    public async Task Handling_a_complaint_without_a_return_visit_creates_no_task()
    {
        var id = await _w.HandledComplaintAsync(needsReturnVisit: false);
        Assert.Equal(0, await _w.ScalarAsync<int>("SELECT count(*) FROM return_visit_tasks WHERE complaint_id = @id", new { id }));
    }

    [Fact]
    public async Task The_supervisor_rule_decides_the_assignee_round_robin_in_turn_or_the_return_visit_lead()
    {
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { AssignRule = AssignRules.RoundRobin, DueHours = 24, MaxFailedAttempts = 3 });
        var a = (await _w.Visits.GetAsync(_w.Visitor, await _w.TaskOfAsync(await _w.HandledComplaintAsync())))!;
        var b = (await _w.Visits.GetAsync(_w.Visitor, await _w.TaskOfAsync(await _w.HandledComplaintAsync())))!;
        Assert.NotEqual(a.AssigneeId, b.AssigneeId);
        Assert.Equal(a.DueAt.AddHours(-24), await _w.ScalarAsync<DateTimeOffset>("SELECT created_at FROM return_visit_tasks WHERE id = @id", new { id = a.Id }));

        await _w.ScalarAsync<int>("UPDATE departments SET return_visit_lead_id = @v WHERE id = @cs RETURNING 1", new { v = _w.Visitor2.Id, cs = _w.W.CsDepartmentId });
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { AssignRule = AssignRules.Lead, DueHours = 48, MaxFailedAttempts = 3 });
        for (var i = 0; i < 2; i++)
        {
            var t = (await _w.Visits.GetAsync(_w.Visitor, await _w.TaskOfAsync(await _w.HandledComplaintAsync())))!;
            Assert.Equal(_w.Visitor2.Id, t.AssigneeId);
        }
    }

    [Fact]
    public async Task Only_the_supervisor_sets_the_rules_and_bad_values_are_refused_at_the_field()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Visits.SaveSettingsAsync(_w.Visitor, new SettingsForm()));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { DueHours = 0, MaxFailedAttempts = 3 }));
        Assert.Equal("ReturnVisit.Range", ex.Errors["DueHours"].Code);
    }

    [Fact]
    public async Task After_the_configured_number_of_failed_attempts_the_task_goes_to_the_supervisor()
    {
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { MaxFailedAttempts = 3 });
        var id = await _w.HandledComplaintAsync();
        var taskId = await _w.TaskOfAsync(id);
        Assert.Equal(TaskStates.Open, (await _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, new AttemptForm { Result = AttemptResults.NoAnswer })).TaskState);
        Assert.Equal(TaskStates.Open, (await _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, new AttemptForm { Result = AttemptResults.Busy })).TaskState);
        Assert.Equal(TaskStates.Escalated, (await _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, new AttemptForm { Result = AttemptResults.WrongNumber })).TaskState);
        Assert.Equal(3, (await _w.Visits.AttemptsAsync(Actor.System, taskId)).Count);
        Assert.Equal(1, await _w.ScalarAsync<int>("SELECT count(*) FROM notifications WHERE user_id = @s AND message_key = 'ReturnVisit.Notify.Escalated'", new { s = _w.Supervisor.Id }));

        // The escalated task is the supervisor's: a team member can neither call nor reassign it; the supervisor does, and the attempts start afresh.
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, new AttemptForm { Result = AttemptResults.Busy }));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Visits.AssignAsync(_w.Visitor, taskId, _w.Visitor2.Id));
        await _w.Visits.AssignAsync(_w.Supervisor, taskId, _w.Visitor2.Id);
        var t = (await _w.Visits.GetAsync(_w.Supervisor, taskId))!;
        Assert.Equal((TaskStates.Open, _w.Visitor2.Id, 0), (t.State, t.AssigneeId, t.FailedAttempts));
    }

    [Fact]
    public async Task A_call_back_request_reminds_the_assignee_at_that_time_once_by_the_delayed_job_or_the_sweep()
    {
        var id = await _w.HandledComplaintAsync();
        var taskId = await _w.TaskOfAsync(id);
        var at = _s.Clock.GetUtcNow().AddHours(3);
        var r = await _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, new AttemptForm { Result = AttemptResults.CallBack, CallbackAt = at });
        var (reminderId, scheduledAt) = Assert.Single(_w.Reminders.Scheduled);
        Assert.Equal((r.ReminderId, at), (reminderId, scheduledAt));
        var assignee = (await _w.Visits.GetAsync(_w.Visitor, taskId))!.AssigneeId;
        const string count = "SELECT count(*) FROM notifications WHERE user_id = @assignee AND message_key = 'ReturnVisit.Notify.CallBack'";

        // Too early (a job fired ahead of time) sends nothing.
        _s.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await _w.Sweep.SendRemindersAsync(reminderId));
        Assert.Equal(0, await _w.ScalarAsync<int>(count, new { assignee }));

        _s.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await _w.Sweep.SendRemindersAsync(reminderId));
        Assert.Equal(0, await _w.Sweep.SendRemindersAsync(reminderId));
        Assert.Equal(0, (await _w.Sweep.RunAsync()).RemindersSent);
        Assert.Equal(1, await _w.ScalarAsync<int>(count, new { assignee }));

        // A reminder whose job was lost (restart) is sent by the sweep.
        var later = _s.Clock.GetUtcNow().AddMinutes(30);
        await _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, new AttemptForm { Result = AttemptResults.CallBack, CallbackAt = later });
        _s.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.True((await _w.Sweep.RunAsync()).RemindersSent >= 1);
        Assert.Equal(2, await _w.ScalarAsync<int>(count, new { assignee }));
        Assert.Equal(later, (await _w.Visits.GetAsync(_w.Visitor, taskId))!.ScheduledAt);
    }

    [Fact]
    public async Task A_call_back_time_must_be_in_the_future_and_a_reached_call_needs_an_outcome()
    {
        var taskId = await _w.TaskOfAsync(await _w.HandledComplaintAsync());
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Visits.RecordAttemptAsync(_w.Visitor, taskId,
            new AttemptForm { Result = AttemptResults.CallBack, CallbackAt = _s.Clock.GetUtcNow().AddMinutes(-5) }));
        Assert.Equal("ReturnVisit.CallbackInFuture", ex.Errors["CallbackAt"].Code);
        ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, new AttemptForm { Result = AttemptResults.Reached }));
        Assert.Equal("ReturnVisit.OutcomeRequired", ex.Errors["Outcome"].Code);
        ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, Reached(Outcomes.NotSatisfied)));
        Assert.Equal("ReturnVisit.CustomerWordsRequired", ex.Errors["CustomerWords"].Code);
        Assert.Empty(await _w.Visits.AttemptsAsync(Actor.System, taskId));
    }

    [Fact]
    public async Task Only_the_return_visit_team_and_the_supervisor_record_calls()
    {
        var taskId = await _w.TaskOfAsync(await _w.HandledComplaintAsync());
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Visits.RecordAttemptAsync(_w.W.Agent, taskId, Reached(Outcomes.Satisfied)));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Visits.RecordAttemptAsync(_w.W.Handler, taskId, Reached(Outcomes.Satisfied)));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Visits.ScheduleAsync(_w.W.Handler));
    }

    [Fact]
    public async Task A_satisfied_customer_closes_the_complaint_with_its_reason()
    {
        var id = await _w.HandledComplaintAsync();
        var taskId = await _w.TaskOfAsync(id);
        _s.Clock.Advance(TimeSpan.FromHours(5));
        var r = await _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, Reached(Outcomes.Satisfied));
        Assert.Equal((TaskStates.Done, ComplaintStates.Closed, false), (r.TaskState, r.ComplaintState, r.ClosurePending));
        var c = await _w.ComplaintAsync(id);
        Assert.Equal((ComplaintStates.Closed, CloseReasons.ReturnVisitSatisfied, _s.Clock.GetUtcNow()), (c.State, c.CloseReason, c.ClosedAt!.Value));
        Assert.Contains(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == "closed" && e.Details == CloseReasons.ReturnVisitSatisfied);
        await Assert.ThrowsAsync<DomainException>(() => _w.Visits.RecordAttemptAsync(_w.Visitor, taskId, Reached(Outcomes.Satisfied)));
    }

    [Fact]
    public async Task A_satisfied_visit_on_an_unclassified_complaint_waits_for_the_root_cause_and_the_sweep_closes_it_then()
    {
        var id = await _w.HandledComplaintAsync(classified: false);
        var r = await _w.Visits.RecordAttemptAsync(_w.Visitor, await _w.TaskOfAsync(id), Reached(Outcomes.Satisfied));
        Assert.Equal((ComplaintStates.Handled, true), (r.ComplaintState, r.ClosurePending));
        var sweep = await _w.Sweep.RunAsync();
        Assert.True(sweep.AwaitingClassification >= 1);
        Assert.Equal(ComplaintStates.Handled, (await _w.ComplaintAsync(id)).State);

        await _w.ClassifyAsync(id);
        Assert.True((await _w.Sweep.RunAsync()).ClosedAfterReturnVisit >= 1);
        var c = await _w.ComplaintAsync(id);
        Assert.Equal((ComplaintStates.Closed, CloseReasons.ReturnVisitSatisfied), (c.State, c.CloseReason));
    }

    [Fact]
    public async Task A_dissatisfied_customer_sends_the_complaint_back_to_the_department_with_their_words_and_a_new_reply_deadline()
    {
        var id = await _w.HandledComplaintAsync();
        _s.Clock.Advance(TimeSpan.FromDays(2));
        var now = _s.Clock.GetUtcNow();
        var r = await _w.Visits.RecordAttemptAsync(_w.Visitor, await _w.TaskOfAsync(id), Reached(Outcomes.NotSatisfied, "天花板还在渗水，没有修好"));
        Assert.Equal(ComplaintStates.Contacted, r.ComplaintState);
        var c = await _w.ComplaintAsync(id);
        Assert.Equal((ComplaintStates.Contacted, now.AddHours(48), now.AddHours(48)), (c.State, c.ReplyDueAt, c.CurrentDueAt!.Value));
        var reopened = Assert.Single(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == ComplaintEvents.Reopened);
        Assert.Equal("天花板还在渗水，没有修好", reopened.Details);
        Assert.Equal(1, await _w.ScalarAsync<int>("SELECT count(*) FROM notifications WHERE user_id = @h AND message_key = 'ReturnVisit.Notify.Reopened' AND complaint_id = @id",
            new { h = _w.W.Handler.Id, id }));
        Assert.Equal(1, await _w.ScalarAsync<int>("SELECT count(*) FROM complaint_deadlines WHERE complaint_id = @id AND kind = 'reply' AND active AND due_at = @due",
            new { id, due = now.AddHours(48) }));

        // Handled again: a new return visit is due.
        await _w.Lifecycle.HandleAsync(_w.W.Handler, id, "重新更换防水层", "已再次维修。", false);
        Assert.Equal(1, await _w.ScalarAsync<int>("SELECT count(*) FROM return_visit_tasks WHERE complaint_id = @id AND state = 'open'", new { id }));
    }

    [Fact]
    public async Task The_team_schedule_lists_overdue_callbacks_first_and_can_be_reassigned_and_rescheduled()
    {
        var first = await _w.TaskOfAsync(await _w.HandledComplaintAsync());
        _s.Clock.Advance(TimeSpan.FromDays(3)); // the first task is now overdue
        var second = await _w.TaskOfAsync(await _w.HandledComplaintAsync());
        await _w.Visits.RescheduleAsync(_w.Visitor, first, _s.Clock.GetUtcNow().AddHours(5));
        var list = await _w.Visits.ScheduleAsync(_w.Visitor);
        var mine = list.Where(t => t.Id == first || t.Id == second).ToList();
        Assert.Equal(first, mine[0].Id);
        Assert.True(mine[0].IsOverdue(_s.Clock.GetUtcNow()));
        await _w.Visits.AssignAsync(_w.Visitor, second, _w.Visitor2.Id);
        Assert.Contains(await _w.Visits.ScheduleAsync(_w.Visitor, _w.Visitor2.Id), t => t.Id == second);
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Visits.AssignAsync(_w.Visitor, second, _w.W.Handler.Id));
        Assert.Equal("ReturnVisit.NotATeamMember", ex.Errors["AssigneeId"].Code);
        await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Visits.RescheduleAsync(_w.Visitor, second, _s.Clock.GetUtcNow().AddHours(-2)));
    }
}
