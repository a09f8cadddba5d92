using Dapper;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using static ServiceHub.Tests.Emergencies.EmergencyTestData;

namespace ServiceHub.Tests.Emergencies;

public sealed class EmergencyRepositoryTests(EmergencyFixture db) : IClassFixture<EmergencyFixture>
{
    private DateTimeOffset Now => db.S.Clock.GetUtcNow();

    private async Task<int> RaiseAsync(string department = "PM", string reporter = "agent")
    {
        var report = await ReportAsync(db.DataSource, Now, department);
        return await db.Emergencies.ReportAsync(await db.ActorAsync(reporter), report);
    }

    [Fact]
    public async Task Raising_alerts_the_department_manager_the_supervising_vp_and_leadership_and_no_one_else()
    {
        var id = await RaiseAsync("PM");
        var alerts = await AlertsAsync(db.DataSource, id);
        // pmmanager manages 物业公司; leader is its supervising VP; vp is leadership too.
        Assert.Equal(["leader", "pmmanager", "vp"], alerts.Select(a => a.User).Order());
        Assert.All(alerts, a => Assert.Equal((AlertReasons.Raised, false), (a.Reason, a.Acknowledged)));
        Assert.Equal(["reported"], await EventsAsync(db.DataSource, id));

        // The engineering manager gets the engineering department's emergencies, not the property company's.
        var eng = await RaiseAsync("ENG");
        Assert.Equal(["engmanager", "leader", "vp"], (await AlertsAsync(db.DataSource, eng)).Select(a => a.User).Order());
    }

    [Fact]
    public async Task A_handler_of_another_department_has_no_pending_alert()
    {
        await RaiseAsync("PM");
        var enghandler = await db.ActorAsync("enghandler");
        var handler = await db.ActorAsync("handler");
        Assert.Empty(await db.Emergencies.PendingAlertsAsync(enghandler.Id));
        Assert.Empty(await db.Emergencies.PendingAlertsAsync(handler.Id));
    }

    [Fact]
    public async Task A_loss_below_5000_or_an_attempted_theft_is_refused_and_nothing_is_written()
    {
        var agent = await db.ActorAsync("agent");
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var before = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM emergencies");

        var loss = await ReportAsync(db.DataSource, Now, kind: EmergencyKinds.CompensationLoss);
        loss.AmountYuan = 4999.99m;
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => db.Emergencies.ReportAsync(agent, loss));
        Assert.Equal("Emergency.LossBelowThreshold", Assert.Single(ex.Errors, e => e.Key == "AmountYuan").Value.Code);

        var theft = await ReportAsync(db.DataSource, Now, kind: EmergencyKinds.PublicSecurity);
        theft.Attempted = true;
        ex = await Assert.ThrowsAsync<ValidationFailedException>(() => db.Emergencies.ReportAsync(agent, theft));
        Assert.Equal("Emergency.AttemptedNotFirstClass", ex.Errors.Values.First().Code);

        Assert.Equal(before, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM emergencies"));

        loss.AmountYuan = 5000m; // 以上 includes the number itself
        var id = await db.Emergencies.ReportAsync(agent, loss);
        Assert.Equal(5000m, await conn.ExecuteScalarAsync<decimal>("SELECT amount_yuan FROM emergencies WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task The_database_refuses_a_loss_below_the_threshold_even_past_the_code()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var ex = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("""
            INSERT INTO emergencies (kind, project_id, location, occurred_at, description, responsible_department_id, amount_yuan, reported_by, reported_at, on_site_due_at)
            SELECT 'compensation_loss', (SELECT min(id) FROM projects), 'x', now(), 'x', (SELECT min(id) FROM departments), 4999, (SELECT min(id) FROM users), now(), now()
            """));
        Assert.Equal("emergencies_loss_threshold", ex.ConstraintName);
    }

    [Fact]
    public async Task Roles_without_a_duty_cannot_report()
    {
        var hr = await db.ActorAsync("hr");
        await Assert.ThrowsAsync<ForbiddenException>(async () => await db.Emergencies.ReportAsync(hr, await ReportAsync(db.DataSource, Now)));
    }

    [Fact]
    public async Task Reminders_and_escalation_count_from_when_it_happened_not_from_the_report()
    {
        var at = FreshDay(db.S.Clock);
        db.S.Clock.SetUtcNow(at(10, 30, 0)); // happened at 10:00, reported at 10:30
        var id = await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), await ReportAsync(db.DataSource, Now, occurredAt: at(10, 0, 0)));
        var (detail, _, _) = (await db.Emergencies.GetAsync(await db.ActorAsync("leader"), id))!.Value;
        Assert.Equal(at(12, 0, 0), detail.OnSiteDueAt);

        foreach (var (step, due) in new[] { (AlertReasons.Reminder60, at(11, 0, 0)), (AlertReasons.Reminder90, at(11, 30, 0)), (AlertReasons.Escalated, at(12, 0, 0)) })
        {
            db.S.Clock.SetUtcNow(due.AddSeconds(-1)); // too early: nothing happens, even if a job fires early
            Assert.False(await db.Emergencies.FollowUpAsync(id, step));
            db.S.Clock.SetUtcNow(due);
            Assert.True(await db.Emergencies.FollowUpAsync(id, step));
        }

        var alerts = await AlertsAsync(db.DataSource, id);
        Assert.Equal(["pmmanager"], alerts.Where(a => a.Reason == AlertReasons.Reminder60).Select(a => a.User));
        Assert.Equal(["pmmanager"], alerts.Where(a => a.Reason == AlertReasons.Reminder90).Select(a => a.User));
        Assert.Equal(["leader", "vp"], alerts.Where(a => a.Reason == AlertReasons.Escalated).Select(a => a.User).Order());
        Assert.Equal([("reported", at(10, 30, 0)), ("reminder_60", at(11, 0, 0)), ("reminder_90", at(11, 30, 0)), ("escalated", at(12, 0, 0))],
            await TimedEventsAsync(db.DataSource, id));
    }

    [Fact]
    public async Task Happened_at_10_reported_at_11_30_reminded_at_once_and_escalated_at_12()
    {
        var at = FreshDay(db.S.Clock);
        db.S.Clock.SetUtcNow(at(11, 30, 0));
        var id = await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), await ReportAsync(db.DataSource, Now, occurredAt: at(10, 0, 0)));

        // The 11:00 and 11:30 reminders are due when it is reported: they happen with the report.
        Assert.Equal([("reported", at(11, 30, 0)), ("reminder_60", at(11, 30, 0)), ("reminder_90", at(11, 30, 0))], await TimedEventsAsync(db.DataSource, id));
        Assert.Equal(2, (await AlertsAsync(db.DataSource, id)).Count(a => a.User == "pmmanager" && a.Reason != AlertReasons.Raised));

        db.S.Clock.SetUtcNow(at(11, 59, 59));
        await db.Emergencies.SweepAsync();
        Assert.False(await db.Emergencies.FollowUpAsync(id, AlertReasons.Escalated));
        db.S.Clock.SetUtcNow(at(12, 0, 0));
        await db.Emergencies.SweepAsync();
        Assert.Equal(("escalated", at(12, 0, 0)), (await TimedEventsAsync(db.DataSource, id))[^1]);

        // The page and the list say how late it was reported.
        var leader = await db.ActorAsync("leader");
        var (detail, _, _) = (await db.Emergencies.GetAsync(leader, id))!.Value;
        Assert.Equal((TimeSpan.FromMinutes(90), ReportLateness.AfterReminder, at(12, 0, 0)), (detail.ReportDelay, detail.Lateness, detail.OnSiteDueAt));
        var row = Assert.Single((await db.Emergencies.ListAsync(leader, null, 0, 100)).Items, e => e.Id == id);
        Assert.Equal(TimeSpan.FromMinutes(90), row.ReportDelay);
    }

    [Fact]
    public async Task Reported_when_the_two_hours_have_passed_it_is_escalated_at_once()
    {
        var at = FreshDay(db.S.Clock);
        db.S.Clock.SetUtcNow(at(12, 30, 0));
        var id = await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), await ReportAsync(db.DataSource, Now, occurredAt: at(10, 0, 0)));

        Assert.Equal(["reported", "reminder_60", "reminder_90", "escalated"], await EventsAsync(db.DataSource, id));
        Assert.Equal(["leader", "vp"], (await AlertsAsync(db.DataSource, id)).Where(a => a.Reason == AlertReasons.Escalated).Select(a => a.User).Order());
        var (detail, _, _) = (await db.Emergencies.GetAsync(await db.ActorAsync("leader"), id))!.Value;
        Assert.Equal(ReportLateness.AfterLimit, detail.Lateness);
        await db.Emergencies.SweepAsync(); // nothing twice
        Assert.Single(await EventsAsync(db.DataSource, id), e => e == "escalated");
    }

    [Fact]
    public async Task A_follow_up_run_twice_or_on_two_servers_at_once_happens_once()
    {
        var id = await RaiseAsync("PM");
        db.S.Clock.Advance(TimeSpan.FromHours(2));
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => db.Emergencies.FollowUpAsync(id, AlertReasons.Escalated)));
        Assert.Single(results, r => r);
        Assert.False(await db.Emergencies.FollowUpAsync(id, AlertReasons.Escalated));
        Assert.Equal(2, (await AlertsAsync(db.DataSource, id)).Count(a => a.Reason == AlertReasons.Escalated));
        Assert.Single(await EventsAsync(db.DataSource, id), e => e == "escalated");
    }

    [Fact]
    public async Task The_sweep_catches_up_lost_delayed_jobs_and_a_second_sweep_changes_nothing()
    {
        var id = await RaiseAsync("ENG");
        db.S.Clock.Advance(TimeSpan.FromMinutes(95)); // the server was down at the 60 and 90 minute marks
        await db.Emergencies.SweepAsync();
        Assert.Equal(["reported", "reminder_60", "reminder_90"], await EventsAsync(db.DataSource, id));
        await db.Emergencies.SweepAsync();
        Assert.Equal(2, (await AlertsAsync(db.DataSource, id)).Count(a => a.User == "engmanager" && a.Reason != AlertReasons.Raised));

        db.S.Clock.Advance(TimeSpan.FromMinutes(25));
        await db.Emergencies.SweepAsync();
        Assert.Equal(["reported", "reminder_60", "reminder_90", "escalated"], await EventsAsync(db.DataSource, id));
    }

    [Fact]
    public async Task After_arrival_on_site_there_is_no_reminder_and_no_escalation()
    {
        var id = await RaiseAsync("PM");
        db.S.Clock.Advance(TimeSpan.FromMinutes(40));
        await db.Emergencies.RecordArrivalAsync(await db.ActorAsync("pmmanager"), id);
        db.S.Clock.Advance(TimeSpan.FromHours(3));
        foreach (var (step, _) in EmergencyRules.FollowUps) Assert.False(await db.Emergencies.FollowUpAsync(id, step));
        await db.Emergencies.SweepAsync();
        Assert.Equal(["reported", "arrived"], await EventsAsync(db.DataSource, id));
    }

    [Fact]
    public async Task Acknowledgement_records_who_and_when_once_and_only_by_the_person_alerted()
    {
        var id = await RaiseAsync("PM");
        var manager = await db.ActorAsync("pmmanager");
        var handler = await db.ActorAsync("handler");
        var alert = Assert.Single(await db.Emergencies.PendingAlertsAsync(manager.Id), a => a.EmergencyId == id);

        Assert.False(await db.Emergencies.AcknowledgeAsync(handler, alert.AlertId)); // not theirs
        db.S.Clock.Advance(TimeSpan.FromMinutes(3));
        var at = Now;
        Assert.True(await db.Emergencies.AcknowledgeAsync(manager, alert.AlertId));
        Assert.False(await db.Emergencies.AcknowledgeAsync(manager, alert.AlertId)); // a repeat changes nothing

        Assert.DoesNotContain(await db.Emergencies.PendingAlertsAsync(manager.Id), a => a.AlertId == alert.AlertId);
        var found = await db.Emergencies.GetAsync(manager, id);
        var row = Assert.Single(found!.Value.Alerts, a => a.Id == alert.AlertId);
        Assert.Equal(at, row.AcknowledgedAt);
        var ack = Assert.Single(found.Value.Timeline, e => e.Kind == "acknowledged");
        Assert.Equal((manager.Id, at), (ack.UserId, ack.At));
    }

    [Fact]
    public async Task Arrival_is_its_own_action_and_the_findings_follow_later()
    {
        var id = await RaiseAsync("PM");
        var manager = await db.ActorAsync("pmmanager");
        db.S.Clock.Advance(TimeSpan.FromMinutes(75));
        var arrived = Now;

        var engmanager = await db.ActorAsync("engmanager");
        await Assert.ThrowsAsync<ForbiddenException>(() => db.Emergencies.RecordArrivalAsync(engmanager, id));
        var early = await Assert.ThrowsAsync<DomainException>(() => db.Emergencies.RecordFindingsAsync(manager, id, new EmergencyFindings { Cause = "a", Scope = "b", Response = "c" }));
        Assert.Equal("Emergency.FindingsBeforeArrival", early.Code);

        // "I am on site", with nothing else.
        await db.Emergencies.RecordArrivalAsync(manager, id);
        var (detail, timeline, alerts) = (await db.Emergencies.GetAsync(manager, id))!.Value;
        Assert.Equal((EmergencyStates.OnSite, arrived, arrived, (string?)null), (detail.State, detail.ArrivedAt, detail.ArrivalRecordedAt, detail.Cause));
        Assert.Equal("in-time", Assert.Single(timeline, e => e.Kind == "arrived").Details);
        Assert.All(alerts.Where(a => a.UserId == manager.Id), a => Assert.Equal(arrived, a.AcknowledgedAt));
        var again = await Assert.ThrowsAsync<DomainException>(() => db.Emergencies.RecordArrivalAsync(manager, id));
        Assert.Equal("Emergency.AlreadyOnSite", again.Code);

        // The findings, later: every field required, then saved, and saved again as things become clearer.
        db.S.Clock.Advance(TimeSpan.FromMinutes(50));
        var empty = await Assert.ThrowsAsync<ValidationFailedException>(() => db.Emergencies.RecordFindingsAsync(manager, id, new EmergencyFindings()));
        Assert.Equal(["Cause", "Response", "Scope"], empty.Errors.Keys.Order());
        await db.Emergencies.RecordFindingsAsync(manager, id, new EmergencyFindings { Cause = "雷击引发配电柜起火", Scope = "3号楼地下车库B区", Response = "已断电、灭火" });
        db.S.Clock.Advance(TimeSpan.FromMinutes(30));
        await db.Emergencies.RecordFindingsAsync(manager, id, new EmergencyFindings { Cause = "雷击引发配电柜起火", Scope = "3号楼地下车库B区，3辆车受损", Response = "已断电、灭火，车主已通知" });

        (detail, timeline, _) = (await db.Emergencies.GetAsync(manager, id))!.Value;
        Assert.Equal(("3号楼地下车库B区，3辆车受损", "已断电、灭火，车主已通知", Now, manager.DisplayName), (detail.Scope, detail.Response, detail.FindingsAt, detail.FindingsByName));
        Assert.Equal(arrived, detail.ArrivedAt); // the findings do not move the arrival
        Assert.Equal(["reported", "arrived", "findings", "findings"], timeline.Select(e => e.Kind));
    }

    [Fact]
    public async Task Arrival_at_11_59_59_is_on_time_and_at_12_00_01_late_counted_from_a_10_00_event()
    {
        var at = FreshDay(db.S.Clock);
        db.S.Clock.SetUtcNow(at(10, 10, 0));
        var agent = await db.ActorAsync("agent");
        var onTime = await db.Emergencies.ReportAsync(agent, await ReportAsync(db.DataSource, Now, occurredAt: at(10, 0, 0)));
        var late = await db.Emergencies.ReportAsync(agent, await ReportAsync(db.DataSource, Now, occurredAt: at(10, 0, 0)));
        var manager = await db.ActorAsync("pmmanager");

        db.S.Clock.SetUtcNow(at(12, 30, 0)); // recorded afterwards, with the time the manager actually arrived
        await db.Emergencies.RecordArrivalAsync(manager, onTime, at(11, 59, 59));
        await db.Emergencies.RecordArrivalAsync(manager, late, at(12, 0, 1));

        var (a, timelineA, _) = (await db.Emergencies.GetAsync(manager, onTime))!.Value;
        var (b, timelineB, _) = (await db.Emergencies.GetAsync(manager, late))!.Value;
        Assert.Equal((at(11, 59, 59), at(12, 30, 0), "in-time"), (a.ArrivedAt!.Value, a.ArrivalRecordedAt!.Value, Assert.Single(timelineA, e => e.Kind == "arrived").Details));
        Assert.Equal((at(12, 0, 1), "late"), (b.ArrivedAt!.Value, Assert.Single(timelineB, e => e.Kind == "arrived").Details));
        Assert.Equal(at(11, 59, 59), Assert.Single(timelineA, e => e.Kind == "arrived").At); // the timeline shows when it happened
    }

    [Fact]
    public async Task An_arrival_before_the_event_or_in_the_future_is_refused_at_the_field_and_nothing_is_written()
    {
        var at = FreshDay(db.S.Clock);
        db.S.Clock.SetUtcNow(at(10, 30, 0));
        var id = await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), await ReportAsync(db.DataSource, Now, occurredAt: at(10, 0, 0)));
        var manager = await db.ActorAsync("pmmanager");

        var before = await Assert.ThrowsAsync<ValidationFailedException>(() => db.Emergencies.RecordArrivalAsync(manager, id, at(9, 59, 59)));
        Assert.Equal(("ArrivedAt", "Emergency.ArrivedBeforeOccurrence"), (before.Errors.Single().Key, before.Errors.Single().Value.Code));
        var future = await Assert.ThrowsAsync<ValidationFailedException>(() => db.Emergencies.RecordArrivalAsync(manager, id, at(10, 30, 1)));
        Assert.Equal(("ArrivedAt", "Emergency.ArrivedInFuture"), (future.Errors.Single().Key, future.Errors.Single().Value.Code));
        Assert.Equal(["reported"], await EventsAsync(db.DataSource, id));

        await db.Emergencies.RecordArrivalAsync(manager, id, at(10, 0, 0)); // the moment it happened is allowed (already there)
        Assert.Equal(EmergencyStates.OnSite, (await db.Emergencies.GetAsync(manager, id))!.Value.Detail.State);
    }

    [Fact]
    public async Task A_late_arrival_is_marked_late()
    {
        var id = await RaiseAsync("PM"); // happened 15 minutes before the report
        db.S.Clock.Advance(TimeSpan.FromMinutes(106));
        await db.Emergencies.RecordArrivalAsync(await db.ActorAsync("leader"), id);
        var (_, timeline, _) = (await db.Emergencies.GetAsync(await db.ActorAsync("leader"), id))!.Value;
        Assert.Equal("late", Assert.Single(timeline, e => e.Kind == "arrived").Details);
    }
}
