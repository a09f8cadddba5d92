using System.Text;
using Dapper;
using MimeKit;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Notifications;
using ServiceHub.Jobs.Notifications;

namespace ServiceHub.Tests.Notifications;

/// <summary>
/// Delivery against real local servers (issue #13 points 3-5): an SMTP server in the test process, a Kestrel stub playing WeCom,
/// DingTalk and Aliyun SMS that checks the payloads and signatures; retries with back-off on the test's clock; a worker stopped
/// after the provider accepted loses nothing and the resend shows once.
/// </summary>
public sealed class OutboxDeliveryTests(NotificationWorld w) : IClassFixture<NotificationWorld>, IAsyncLifetime
{
    public Task InitializeAsync() => w.QuietAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static MimeMessage Parse(netDumbster.smtp.SmtpMessage m) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data)));

    [Fact]
    public async Task An_emergency_reaches_email_sms_and_both_robots_once_each_with_valid_signatures_and_a_link_that_opens_it()
    {
        await w.ReachAsync("pmmanager", "zhang@example.cn", "13800000001", null, (NotificationEvents.EmergencyRaised, NotificationChannels.Email, true));
        // The leader reads 工程部's DingTalk group (signed robot).
        await w.ReachAsync("leader", null, "13800000009", robotId: w.DingTalkRobotId);
        var id = await w.ReportFireAsync();

        Assert.Equal(4, await w.Worker().RunAsync());

        Assert.Empty(w.Stub.Problems);
        var mail = Parse(Assert.Single(w.Smtp.ReceivedEmail));
        var row = Assert.Single(await w.OutboxAsync(id), r => r.Channel == NotificationChannels.Email);
        Assert.Equal("zhang@example.cn", mail.To.Mailboxes.Single().Address);
        Assert.Equal(OutboxRules.MessageId(row.IdempotencyKey, "example.cn"), mail.MessageId);
        Assert.Equal(row.IdempotencyKey, mail.Headers[EmailChannel.KeyHeader]);
        Assert.StartsWith("一类突发事件：公共区域或房屋相邻部位的火灾、爆炸", mail.Subject);
        Assert.Contains($"打开：{NotificationWorld.PublicUrl}/emergencies/{id}", mail.TextBody);
        Assert.Contains("3号楼地下车库", mail.TextBody);

        var sms = Assert.Single(w.Stub.Accepted, m => m.Channel == "sms");
        Assert.Equal("13800000001", sms.Mentions.Single());
        Assert.Equal((await w.OutboxAsync(id)).Single(r => r.Channel == NotificationChannels.Sms).IdempotencyKey, sms.Key);
        Assert.Equal($"{NotificationWorld.PublicUrl}/emergencies/{id}", (string?)sms.Body["link"]);
        var wecom = Assert.Single(w.Stub.Accepted, m => m.Channel == "wecom");
        Assert.Equal(["13800000001"], wecom.Mentions);
        var dingtalk = Assert.Single(w.Stub.Accepted, m => m.Channel == "dingtalk");
        Assert.Equal(["13800000009"], dingtalk.Mentions);
        Assert.Contains($"({NotificationWorld.PublicUrl}/emergencies/{id})", dingtalk.Text);

        Assert.All(await w.OutboxAsync(id), r => Assert.Equal((OutboxStates.Sent, 1), (r.State, r.Attempts)));
        Assert.Equal(0, await w.Worker().RunAsync());
    }

    [Fact]
    public async Task A_robot_that_fails_twice_then_answers_is_retried_within_the_run_and_every_attempt_is_recorded()
    {
        await w.ReachAsync("pmmanager", null, null);
        var id = await w.ReportFireAsync();
        w.Stub.FailNext(2);

        Assert.Equal(1, await w.Worker(new OutboxOptions { TriesPerRun = 3, FirstRetryDelay = TimeSpan.Zero }).RunAsync());

        var row = Assert.Single(await w.OutboxAsync(id));
        Assert.Equal((NotificationChannels.Robot, OutboxStates.Sent, 3), (row.Channel, row.State, row.Attempts));
        Assert.Equal(["failed", "failed", "sent"], (await w.AttemptsAsync(row.Id)).Select(a => a.Outcome));
        Assert.All((await w.AttemptsAsync(row.Id)).Take(2), a => Assert.Contains("500", a.Error));
        Assert.Single(w.Stub.Accepted);
    }

    [Fact]
    public async Task A_run_whose_tries_fail_is_retried_after_30_s_then_60_s_on_the_clock()
    {
        await w.ReachAsync("pmmanager", null, "13800000001", null, (NotificationEvents.EmergencyRaised, NotificationChannels.Robot, false));
        var id = await w.ReportFireAsync();
        var oneTry = new OutboxOptions { TriesPerRun = 1 };
        w.Stub.FailNext(2);

        await w.Worker(oneTry).RunAsync();
        var row = Assert.Single(await w.OutboxAsync(id));
        Assert.Equal((OutboxStates.Pending, 1, w.Clock.GetUtcNow().AddSeconds(30)), (row.State, row.Attempts, row.NextAttemptAt));
        w.Clock.Advance(TimeSpan.FromSeconds(29));
        await w.Worker(oneTry).RunAsync();
        Assert.Equal(1, (await w.OutboxAsync(id)).Single().Attempts);
        w.Clock.Advance(TimeSpan.FromSeconds(1));
        await w.Worker(oneTry).RunAsync();
        Assert.Equal((2, w.Clock.GetUtcNow().AddSeconds(60)), ((await w.OutboxAsync(id)).Single().Attempts, (await w.OutboxAsync(id)).Single().NextAttemptAt));
        w.Clock.Advance(TimeSpan.FromSeconds(60));
        await w.Worker(oneTry).RunAsync();

        row = Assert.Single(await w.OutboxAsync(id));
        Assert.Equal((OutboxStates.Sent, 3), (row.State, row.Attempts));
        Assert.Equal(["failed", "failed", "sent"], (await w.AttemptsAsync(row.Id)).Select(a => a.Outcome));
        Assert.Single(w.Stub.Accepted);
    }

    [Fact]
    public async Task A_worker_stopped_after_the_provider_accepted_loses_nothing_and_the_resend_carries_the_same_key_so_it_shows_once()
    {
        await w.ReachAsync("pmmanager", null, "13800000001", null, (NotificationEvents.EmergencyRaised, NotificationChannels.Robot, false));
        var id = await w.ReportFireAsync();
        w.Stub.HoldNext();
        using var stop = new CancellationTokenSource();
        var run = w.Worker().RunAsync(stop.Token);
        await w.Stub.HeldArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The worst moment: Aliyun has the SMS, the worker has not recorded it. It stops.
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        w.Stub.Release();
        var row = Assert.Single(await w.OutboxAsync(id));
        Assert.Equal((OutboxStates.Pending, 1), (row.State, row.Attempts));

        // A worker restarted at once leaves the row to its lease; once the lease has expired it sends it again, with the same key.
        Assert.Equal(0, await w.Worker().RunAsync());
        w.Clock.Advance(new OutboxOptions().Lease);
        Assert.Equal(1, await w.Worker().RunAsync());

        Assert.Equal(2, w.Stub.Accepted.Count(m => m.Channel == "sms"));
        Assert.Single(w.Stub.Distinct, m => m.Channel == "sms" && m.Key == row.IdempotencyKey);
        row = Assert.Single(await w.OutboxAsync(id));
        Assert.Equal((OutboxStates.Sent, 2), (row.State, row.Attempts));
        Assert.Equal(["abandoned", "sent"], (await w.AttemptsAsync(row.Id)).Select(a => a.Outcome));
    }

    [Fact]
    public async Task A_message_whose_channel_is_not_configured_fails_at_once_and_an_admin_retries_it_after_configuring()
    {
        var recipient = await w.ReachAsync("handler", "liu@example.cn", null);
        await using (var conn = await w.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE notification_channel_settings SET settings = jsonb_set(settings, '{Port}', '1') WHERE channel = 'email'");
        await w.DataSource.InTransactionAsync((conn, tx) => NotificationRepository.NotifyAsync(conn, tx, [recipient.Id], w.Clock.GetUtcNow(), "handover", null,
            "Notify.HandedOver", ["王丽", "DJ-2026-000003", "FY-2026-000003", "2026-11-27 10:00"], "/intake/handovers", "handover:retry-test", CancellationToken.None), CancellationToken.None);

        await w.Worker(new OutboxOptions { TriesPerRun = 1, MaxAttempts = 1 }).RunAsync();
        var row = Assert.Single(await w.OutboxAsync(), r => r.EventKind == NotificationEvents.HandoverToMe && r.State != OutboxStates.Cancelled);
        Assert.Equal(OutboxStates.Failed, row.State);
        Assert.NotNull(row.LastError);
        var page = await w.Store.ListAsync(w.Admin, OutboxStates.Failed, null, 0, 20);
        Assert.Contains(page.Items, d => d.Id == row.Id && d.Address == "l***@example.cn" && d.Recipients == "刘强");

        await Assert.ThrowsAsync<ForbiddenException>(() => w.Store.RetryAsync(recipient, row.Id));
        await w.Get<ChannelSettings>().SaveEmailAsync(w.Admin, new EmailSettings { Host = "127.0.0.1", Port = w.Smtp.Configuration.Port, Security = EmailSecurity.None, From = "servicehub@example.cn" });
        Assert.True(await w.Store.RetryAsync(w.Admin, row.Id));
        Assert.False(await w.Store.RetryAsync(w.Admin, row.Id));
        await w.Worker(new OutboxOptions { TriesPerRun = 1, MaxAttempts = 1 }).RunAsync();

        Assert.Equal(OutboxStates.Sent, (await w.OutboxAsync()).Single(r => r.Id == row.Id).State);
        Assert.Equal("liu@example.cn", Parse(Assert.Single(w.Smtp.ReceivedEmail)).To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task The_admin_pages_test_buttons_send_real_test_messages_on_each_channel()
    {
        var tester = w.Get<ChannelTester>();
        await tester.EmailAsync(w.Admin, "admin@example.cn");
        await tester.SmsAsync(w.Admin, "13800000005");
        await tester.RobotAsync(w.Admin, w.WeComRobotId);
        await tester.RobotAsync(w.Admin, w.DingTalkRobotId);

        Assert.Empty(w.Stub.Problems);
        Assert.Equal("ServiceHub 测试消息", Parse(Assert.Single(w.Smtp.ReceivedEmail)).Subject);
        Assert.Equal(["dingtalk", "sms", "wecom"], w.Stub.Accepted.Select(m => m.Channel).Order());
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => tester.SmsAsync(w.Admin, "12345"));
        Assert.Equal("Notifications.MobileInvalid", refused.Errors["TestMobile"].Code);
        await Assert.ThrowsAsync<ForbiddenException>(async () => await tester.EmailAsync(await w.ActorAsync("agent"), "a@example.cn"));
    }

    [Fact]
    public async Task Secrets_are_stored_encrypted_and_never_shown_again()
    {
        var channels = w.Get<ChannelSettings>();
        var current = await channels.SmsAsync(w.Admin);
        Assert.Equal(("", true), (current.Settings.AccessKeySecret, current.SecretSet));
        await using var conn = await w.DataSource.OpenConnectionAsync();
        var stored = await conn.QuerySingleAsync<string>("SELECT settings::text || coalesce(secret_protected, '') FROM notification_channel_settings WHERE channel = 'sms'");
        Assert.DoesNotContain(ProviderStub.AliyunSecret, stored);
        var robots = await conn.QuerySingleAsync<string>("SELECT string_agg(webhook_protected || webhook_hint || coalesce(secret_protected, ''), ' ') FROM notification_robots");
        Assert.DoesNotContain(ProviderStub.WeComKey, robots);
        Assert.DoesNotContain(ProviderStub.DingTalkSecret, robots);
        Assert.All(await channels.RobotsAsync(w.Admin), r => Assert.DoesNotContain("key-0001", r.WebhookHint));

        // Saving again without the secret keeps it: the test still goes through.
        await channels.SaveSmsAsync(w.Admin, current.Settings);
        await w.Get<ChannelTester>().SmsAsync(w.Admin, "13800000005");
        Assert.Empty(w.Stub.Problems);
    }
}
