using Dapper;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Notifications;
using ServiceHub.Tests.Emergencies;

namespace ServiceHub.Tests.Notifications;

/// <summary>Who gets what, queued in the event's own transaction (issue #13 points 2-4): the rows of the outbox, not yet sent.</summary>
public sealed class OutboxTests(NotificationWorld w) : IClassFixture<NotificationWorld>, IAsyncLifetime
{
    public Task InitializeAsync() => w.QuietAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_delivery_list_takes_any_page_it_is_asked_for_within_the_cap()
    {
        // A negative start (a hand-edited grid request) is the first page, not a database error (OFFSET must not be negative).
        var page = await w.Store.ListAsync(w.Admin, null, null, -5, 1_000_000);
        Assert.True(page.Items.Count <= Search.MaxPageSize);
        Assert.Equal(Math.Min(page.Total, Search.MaxPageSize), page.Items.Count);
    }

    [Fact]
    public async Task A_first_class_emergency_texts_the_responsible_manager_and_posts_once_to_the_department_robot_by_default()
    {
        var manager = await w.ReachAsync("pmmanager", "zhang@example.cn", "13800000001");
        var leader = await w.ReachAsync("leader", "zheng@example.cn", "13800000009");
        var id = await w.ReportFireAsync();

        var rows = await w.OutboxAsync(id);
        // The manager: SMS and the property company's group robot (not e-mail: off by default). The leader is told for information:
        // by robot only by default, and has no department robot, so nothing outside the app.
        Assert.Equal(2, rows.Count);
        var sms = Assert.Single(rows, r => r.Channel == NotificationChannels.Sms);
        Assert.Equal(("13800000001", NotificationEvents.EmergencyRaised), (sms.Address, sms.EventKind));
        Assert.Equal([manager.Id], sms.UserIds);
        var robot = Assert.Single(rows, r => r.Channel == NotificationChannels.Robot);
        Assert.Equal(w.WeComRobotId, robot.EndpointId);
        Assert.Equal(["13800000001"], robot.Mentions);
        Assert.All(rows, r => Assert.Equal(($"/emergencies/{id}", OutboxStates.Pending, "Outbox.Emergency.raised"), (r.Link, r.State, r.MessageKey)));
        Assert.DoesNotContain(rows, r => r.UserIds.Contains(leader.Id));
    }

    [Fact]
    public async Task People_in_the_same_robot_group_share_one_message_that_mentions_each()
    {
        // The leader reads the property company's group too: the raise posts once there, mentioning the manager and the leader.
        await w.ReachAsync("pmmanager", null, "13800000001");
        await w.ReachAsync("leader", null, "13800000009", robotId: w.WeComRobotId);
        var id = await w.ReportFireAsync();
        var robot = Assert.Single(await w.OutboxAsync(id), r => r.Channel == NotificationChannels.Robot);
        Assert.Equal(["13800000001", "13800000009"], robot.Mentions.Order());
        Assert.Equal(NotificationEvents.EmergencyRaised, robot.EventKind);
    }

    [Fact]
    public async Task Each_person_gets_the_channels_they_chose_over_the_defaults_and_nothing_without_an_address()
    {
        await w.ReachAsync("pmmanager", "zhang@example.cn", "13800000001", null,
            (NotificationEvents.EmergencyRaised, NotificationChannels.Sms, false), (NotificationEvents.EmergencyRaised, NotificationChannels.Email, true));
        await w.ReachAsync("engmanager", null, null, null, (NotificationEvents.EmergencyRaised, NotificationChannels.Email, true));
        var pm = await w.ReportFireAsync();
        var eng = await w.ReportFireAsync("ENG");
        Assert.Equal([(NotificationChannels.Email, "zhang@example.cn"), (NotificationChannels.Robot, null)],
            (await w.OutboxAsync(pm)).Select(r => (r.Channel, r.Address)));
        // 工程部's manager chose e-mail but left no address; the robot of 工程部 (DingTalk) still has him.
        Assert.Equal([NotificationChannels.Robot], (await w.OutboxAsync(eng)).Select(r => r.Channel));
    }

    [Fact]
    public async Task Messages_are_queued_with_the_event_and_vanish_with_its_rollback()
    {
        var recipient = await w.ReachAsync("handler", "liu@example.cn", null);
        await using (var conn = await w.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await NotificationRepository.NotifyAsync(conn, tx, [recipient.Id], w.Clock.GetUtcNow(), "handover", null, "Notify.HandedOver",
                ["王丽", "DJ-2026-000001", "FY-2026-000001", "2026-11-27 10:00"], "/intake/handovers", "handover:rolled-back", CancellationToken.None);
            Assert.Single(await conn.QueryAsync<long>("SELECT id FROM outbox_messages WHERE idempotency_key LIKE 'nt:%'", transaction: tx));
            await tx.RollbackAsync();
        }
        Assert.DoesNotContain(await w.OutboxAsync(), r => r.EventKind == NotificationEvents.HandoverToMe);
        await w.DataSource.InTransactionAsync((conn, tx) => NotificationRepository.NotifyAsync(conn, tx, [recipient.Id], w.Clock.GetUtcNow(), "handover", null,
            "Notify.HandedOver", ["王丽", "DJ-2026-000002", "FY-2026-000002", "2026-11-27 10:00"], "/intake/handovers", "handover:committed", CancellationToken.None), CancellationToken.None);
        var row = Assert.Single(await w.OutboxAsync(), r => r.State == OutboxStates.Pending);
        Assert.Equal((NotificationChannels.Email, NotificationEvents.HandoverToMe, "liu@example.cn", "/intake/handovers"), (row.Channel, row.EventKind, row.Address, row.Link));
    }

    [Fact]
    public async Task Acknowledging_in_the_app_stops_the_persons_pending_messages_and_their_later_reminders_on_every_channel()
    {
        var manager = await w.ReachAsync("pmmanager", "zhang@example.cn", "13800000001", null, (NotificationEvents.EmergencyRaised, NotificationChannels.Email, true));
        var id = await w.ReportFireAsync();
        var alert = (await w.Emergencies.PendingAlertsAsync(manager.Id)).Single(a => a.EmergencyId == id);
        Assert.True(await w.Emergencies.AcknowledgeAsync(manager, alert.AlertId));

        var rows = await w.OutboxAsync(id);
        Assert.Equal([(NotificationChannels.Sms, OutboxStates.Cancelled), (NotificationChannels.Email, OutboxStates.Cancelled), (NotificationChannels.Robot, OutboxStates.Pending)],
            rows.Select(r => (r.Channel, r.State)).OrderBy(r => r.Channel == NotificationChannels.Robot).ThenByDescending(r => r.Channel));
        Assert.All(rows.Where(r => r.State == OutboxStates.Cancelled), r => Assert.Equal("acknowledged", r.CancelReason));

        // The reminders at 60 and 90 minutes still appear in the app, but go no further: he has acknowledged.
        w.Clock.Advance(TimeSpan.FromMinutes(91));
        await w.Emergencies.SweepAsync();
        Assert.Contains(await EmergencyTestData.AlertsAsync(w.DataSource, id), a => a.Reason == AlertReasons.Reminder60);
        Assert.DoesNotContain(await w.OutboxAsync(id), r => r.MessageKey.StartsWith("Outbox.Emergency.reminder", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reminder_already_queued_stops_on_sms_and_robot_when_the_manager_acknowledges_in_the_app()
    {
        var manager = await w.ReachAsync("pmmanager", null, "13800000001");
        var id = await w.ReportFireAsync();
        w.Clock.Advance(TimeSpan.FromMinutes(61));
        await w.Emergencies.SweepAsync();
        Assert.Equal([NotificationChannels.Sms, NotificationChannels.Robot],
            (await w.OutboxAsync(id)).Where(r => r.MessageKey == "Outbox.Emergency.reminder_60" && r.State == OutboxStates.Pending).Select(r => r.Channel).Order().Reverse());

        foreach (var alert in (await w.Emergencies.PendingAlertsAsync(manager.Id)).Where(a => a.EmergencyId == id))
            await w.Emergencies.AcknowledgeAsync(manager, alert.AlertId);

        Assert.All((await w.OutboxAsync(id)).Where(r => r.MessageKey == "Outbox.Emergency.reminder_60"),
            r => Assert.Equal((OutboxStates.Cancelled, "acknowledged"), (r.State, r.CancelReason)));
        // The worker then sends no reminder anywhere (the raise's SMS went with the acknowledgement too; its robot post still goes).
        await w.Worker().RunAsync();
        Assert.DoesNotContain(await w.OutboxAsync(id), r => r.MessageKey == "Outbox.Emergency.reminder_60" && r.State == OutboxStates.Sent);
        // (The sweep also reminded of earlier tests' emergencies: only this one's messages count.)
        Assert.DoesNotContain(w.Stub.Accepted, m => m.Channel == "sms" && m.Text.Contains($"/emergencies/{id} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reminders_go_out_until_the_manager_is_on_site_then_the_pending_ones_stop()
    {
        var manager = await w.ReachAsync("pmmanager", null, "13800000001");
        var id = await w.ReportFireAsync();
        w.Clock.Advance(TimeSpan.FromMinutes(61));
        await w.Emergencies.SweepAsync();
        var reminders = (await w.OutboxAsync(id)).Where(r => r.MessageKey == "Outbox.Emergency.reminder_60").ToList();
        Assert.Equal([NotificationChannels.Sms, NotificationChannels.Robot], reminders.Select(r => r.Channel).Order().Reverse());
        Assert.All(reminders, r => Assert.Equal(NotificationEvents.EmergencyReminder, r.EventKind));

        await w.Emergencies.RecordArrivalAsync(manager, id);
        Assert.All((await w.OutboxAsync(id)).Where(r => r.MessageKey != "Outbox.Emergency.raised"), r => Assert.Equal(OutboxStates.Cancelled, r.State));
    }

    [Fact]
    public async Task The_two_hour_escalation_reaches_the_vice_president_by_email_and_sms_by_default()
    {
        var leader = await w.ReachAsync("leader", "zheng@example.cn", "13800000009");
        var id = await w.ReportFireAsync();
        w.Clock.Advance(TimeSpan.FromHours(2));
        await w.Emergencies.SweepAsync();
        Assert.Equal([NotificationChannels.Email, NotificationChannels.Sms],
            (await w.OutboxAsync(id)).Where(r => r.UserIds.SequenceEqual([leader.Id])).Select(r => r.Channel).Order());
        Assert.All((await w.OutboxAsync(id)).Where(r => r.UserIds.Contains(leader.Id)), r => Assert.Equal(NotificationEvents.EmergencyEscalated, r.EventKind));
    }
}
