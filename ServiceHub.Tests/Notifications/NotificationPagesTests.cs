using System.Security.Claims;
using System.Text;
using Bunit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using ServiceHub.App.Components.Pages.Notifications;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Notifications;
using ServiceHub.Jobs.Notifications;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Notifications;

/// <summary>
/// The three pages of the channels (issue #13 points 1-3), rendered with bUnit over the world's services, so what they send reaches
/// the world's SMTP server and provider stub: the admin's channel page (secrets never shown again, the test buttons send real test
/// messages), the deliveries page (state, attempts, retry of a failed one) and a person's own "my notifications".
/// </summary>
public sealed class NotificationPagesTests(NotificationWorld w) : IClassFixture<NotificationWorld>, IAsyncLifetime
{
    public Task InitializeAsync() => w.QuietAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private BunitContext Create(Actor who, string culture = "zh-CN") => BunitSetup.Create(culture, s =>
    {
        // The world's own instances: the same database, clock, key ring (secrets) and senders.
        s.AddSingleton(w.Get<ChannelSettings>());
        s.AddSingleton(w.Get<ChannelTester>());
        s.AddSingleton(w.Get<NotificationPreferences>());
        s.AddSingleton(w.Get<DepartmentRepository>());
        s.AddSingleton(w.Store);
        s.AddScoped<CurrentUser>();
        s.AddScoped<ActionRunner>();
    }, a => a.SetAuthorized(who.UserName).SetRoles([.. who.Roles])
        .SetClaims(new Claim(ClaimTypes.NameIdentifier, who.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim(AppClaims.DisplayName, who.DisplayName)));

    /// <summary>A MudBlazor input (text field, check box) by its test id, which MudBlazor puts on the input element itself.</summary>
    private static AngleSharp.Dom.IElement Input<T>(IRenderedComponent<T> page, string testId) where T : Microsoft.AspNetCore.Components.IComponent =>
        page.Find($"input[data-testid={testId}], [data-testid={testId}] input");

    private static IRenderedComponent<T> RenderWithProviders<T>(BunitContext ctx) where T : Microsoft.AspNetCore.Components.IComponent
    {
        ctx.Render<MudBlazor.MudPopoverProvider>();
        ctx.Render<MudBlazor.MudSnackbarProvider>();
        return ctx.Render<T>();
    }

    [Fact]
    public async Task The_channel_page_never_shows_a_saved_secret_and_its_test_button_sends_a_real_email()
    {
        await using var ctx = Create(w.Admin);
        var page = RenderWithProviders<ChannelsPage>(ctx);
        page.WaitForAssertion(() => Assert.Equal("127.0.0.1", Input(page, "email-host").GetAttribute("value")));

        // Saved secrets: the fields are empty, marked "set"; neither the SMS secret nor a robot's key or token is anywhere on the page.
        Assert.True(string.IsNullOrEmpty(Input(page, "email-password").GetAttribute("value")));
        Assert.True(string.IsNullOrEmpty(Input(page, "sms-secret").GetAttribute("value")));
        Assert.Contains("已设置（留空则保持不变）", page.Find("[data-testid=channel-sms]").TextContent);
        Assert.DoesNotContain(ProviderStub.AliyunSecret, page.Markup);
        Assert.DoesNotContain(ProviderStub.WeComKey, page.Markup);
        Assert.DoesNotContain(ProviderStub.DingTalkToken, page.Markup);
        Assert.DoesNotContain(ProviderStub.DingTalkSecret, page.Markup);

        Input(page, "email-test-to").Change("ops@example.cn");
        await page.Find("[data-testid=email-test]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Single(w.Smtp.ReceivedEmail));
        var mail = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(w.Smtp.ReceivedEmail.Single().Data)));
        Assert.Equal(("ServiceHub 测试消息", "ops@example.cn"), (mail.Subject, mail.To.Mailboxes.Single().Address));
        page.WaitForAssertion(() => Assert.Contains("测试消息已发送", SnackbarText(ctx)));
    }

    private static string SnackbarText(BunitContext ctx) =>
        string.Join(" ", ctx.Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars.Select(s => s.Message?.ToString()));

    [Fact]
    public async Task A_robot_added_on_the_page_keeps_its_webhook_secret_and_its_test_button_posts_to_the_group()
    {
        await using var ctx = Create(w.Admin);
        var page = RenderWithProviders<ChannelsPage>(ctx);
        page.WaitForElement($"[data-testid=robot-{w.WeComRobotId}]");
        await page.Find("[data-testid=robot-new]").ClickAsync(new());
        page.WaitForAssertion(() => Input(page, "robot-name"));
        Input(page, "robot-name").Change($"客服群{Guid.NewGuid():N}"[..12]);
        Input(page, "robot-webhook").Change($"{w.Stub.BaseUrl}/cgi-bin/webhook/send?key={ProviderStub.WeComKey}");
        await page.Find("[data-testid=robot-save]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=robot-form]")));
        var robot = (await w.Get<ChannelSettings>().RobotsAsync(w.Admin)).OrderBy(r => r.Id).Last();
        Assert.EndsWith("…0001", robot.WebhookHint);
        Assert.DoesNotContain(ProviderStub.WeComKey, page.Markup);

        await page.Find($"[data-testid=robot-test-{robot.Id}]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Single(w.Stub.Accepted));
        Assert.Equal("wecom", w.Stub.Accepted.Single().Channel);
        Assert.Empty(w.Stub.Problems);
        Assert.Contains("测试消息已发送", SnackbarText(ctx));
    }

    [Fact]
    public async Task An_invalid_test_mobile_is_refused_at_its_field_and_nothing_is_sent()
    {
        await using var ctx = Create(w.Admin, "en");
        var page = RenderWithProviders<ChannelsPage>(ctx);
        page.WaitForAssertion(() => Input(page, "sms-test-to"));
        Input(page, "sms-test-to").Change("12345");
        await page.Find("[data-testid=sms-test]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("Enter a valid 11-digit mobile number.", page.Find("[data-testid=channel-sms]").TextContent));
        Assert.Empty(w.Stub.Accepted);
    }

    [Fact]
    public async Task The_deliveries_page_shows_a_failed_message_with_its_attempts_and_its_retry_button_sends_it_again()
    {
        var recipient = await w.ReachAsync("handler", "liu@example.cn", null);
        // The SMTP server refuses (nothing listens on port 1) until the retry.
        await using (var conn = await w.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE notification_channel_settings SET settings = jsonb_set(settings, '{Port}', '1') WHERE channel = 'email'");
        await w.DataSource.InTransactionAsync((conn, tx) => NotificationRepository.NotifyAsync(conn, tx, [recipient.Id], w.Clock.GetUtcNow(), "handover", null,
            "Notify.HandedOver", ["王丽", "DJ-2026-000009", "FY-2026-000009", "2026-11-27 10:00"], "/intake/handovers", $"handover:page-{Guid.NewGuid():N}",
            CancellationToken.None), CancellationToken.None);
        await w.Worker(new OutboxOptions { TriesPerRun = 2, FirstRetryDelay = TimeSpan.Zero, MaxAttempts = 2 }).RunAsync();
        var row = (await w.OutboxAsync()).Last();
        Assert.Equal(OutboxStates.Failed, row.State);

        await using var ctx = Create(w.Admin);
        var page = RenderWithProviders<DeliveriesPage>(ctx);
        page.WaitForAssertion(() => Assert.Equal("失败", page.Find($"[data-testid=delivery-state-{row.Id}]").TextContent.Trim()));
        var cells = page.Find($"[data-testid=delivery-state-{row.Id}]").Closest("tr")!.TextContent;
        Assert.Contains("l***@example.cn", cells);
        Assert.Contains("刘强", cells);
        Assert.Contains("移交给我的事项", cells);

        // Every attempt and its result, under the row.
        // Found and clicked in one go on the renderer: the grid may render again between a Find and a Click.
        await page.InvokeAsync(() => page.Find($"[data-testid=delivery-state-{row.Id}]").Closest("tr")!.QuerySelector("button")!.Click());
        page.WaitForAssertion(() => Assert.Equal(2, page.Find($"[data-testid=delivery-attempts-{row.Id}]").QuerySelectorAll("tr").Length));
        Assert.Contains("失败", page.Find($"[data-testid=delivery-attempts-{row.Id}]").TextContent);

        await using (var conn = await w.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE notification_channel_settings SET settings = jsonb_set(settings, '{Port}', @port::text::jsonb) WHERE channel = 'email'",
                new { port = w.Smtp.Configuration.Port });
        await page.Find($"[data-testid=delivery-retry-{row.Id}]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("待发送", page.Find($"[data-testid=delivery-state-{row.Id}]").TextContent.Trim()));
        Assert.Empty(page.FindAll($"[data-testid=delivery-retry-{row.Id}]"));

        await w.Worker().RunAsync();
        Assert.Equal(OutboxStates.Sent, (await w.OutboxAsync()).Single(r => r.Id == row.Id).State);
        var mail = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(w.Smtp.ReceivedEmail).Data)));
        Assert.Equal("liu@example.cn", mail.To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task The_deliveries_page_is_for_administrators_only()
    {
        var agent = await w.ActorAsync("agent");
        await Assert.ThrowsAsync<ForbiddenException>(() => w.Store.ListAsync(agent, null, null, 0, 20));
        await Assert.ThrowsAsync<ForbiddenException>(() => w.Store.RetryAsync(agent, 1));
        Assert.Contains(typeof(DeliveriesPage).GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.AuthorizeAttribute), false)
            .Cast<Microsoft.AspNetCore.Authorization.AuthorizeAttribute>(), a => a.Policy == Policies.Admin);
    }

    [Fact]
    public async Task My_notifications_shows_the_defaults_and_a_choice_saved_there_routes_the_next_emergency()
    {
        var manager = await w.ActorAsync("pmmanager");
        await using var ctx = Create(manager);
        var page = RenderWithProviders<MyNotificationsPage>(ctx);

        // The issue's defaults: emergencies in-app + robot + SMS to the responsible manager; escalations in-app + e-mail.
        bool Checked(string kind, string channel) => Input(page, $"choice-{kind}-{channel}").HasAttribute("checked");
        page.WaitForAssertion(() => Assert.True(Checked(NotificationEvents.EmergencyRaised, NotificationChannels.Sms)));
        Assert.True(Checked(NotificationEvents.EmergencyRaised, NotificationChannels.Robot));
        Assert.False(Checked(NotificationEvents.EmergencyRaised, NotificationChannels.Email));
        Assert.True(Checked(NotificationEvents.ComplaintEscalated, NotificationChannels.Email));
        Assert.False(Checked(NotificationEvents.ComplaintEscalated, NotificationChannels.Sms));
        Assert.Contains("默认", page.Find($"[data-testid=choice-{NotificationEvents.EmergencyRaised}]").TextContent);

        Input(page, "my-mobile").Change("12345");
        await page.Find("[data-testid=my-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("请输入有效的 11 位手机号码。", page.Markup));

        // E-mail on for emergencies, SMS off; the address given.
        Input(page, "my-email").Change("zhang@example.cn");
        Input(page, "my-mobile").Change("138 0000 0001");
        Input(page, $"choice-{NotificationEvents.EmergencyRaised}-{NotificationChannels.Email}").Change(true);
        Input(page, $"choice-{NotificationEvents.EmergencyRaised}-{NotificationChannels.Sms}").Change(false);
        await page.Find("[data-testid=my-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.DoesNotContain("请输入有效", page.Markup));

        var id = await w.ReportFireAsync();
        var rows = (await w.OutboxAsync(id)).Where(r => r.UserIds.SequenceEqual([manager.Id]) && r.Channel != NotificationChannels.Robot).ToList();
        var email = Assert.Single(rows);
        Assert.Equal((NotificationChannels.Email, "zhang@example.cn"), (email.Channel, email.Address));
        // The robot still mentions the mobile saved (normalised).
        Assert.Contains("13800000001", Assert.Single(await w.OutboxAsync(id), r => r.Channel == NotificationChannels.Robot).Mentions);
    }

    [Fact]
    public async Task The_administrator_changes_a_default_and_sets_a_persons_addresses_and_the_next_emergency_follows_both()
    {
        var manager = await w.ActorAsync("pmmanager");
        var before = await w.Get<NotificationPreferences>().DefaultsAsync(w.Admin);
        try
        {
            await using var ctx = Create(w.Admin);
            var page = RenderWithProviders<RoutingPage>(ctx);
            page.WaitForAssertion(() => page.Find("[data-testid=contact-edit-pmmanager]"));

            // The default for emergencies gains e-mail.
            Input(page, $"choice-{NotificationEvents.EmergencyRaised}-{NotificationChannels.Email}").Change(true);
            await page.Find("[data-testid=defaults-save]").ClickAsync(new());
            Assert.Contains(await w.Get<NotificationPreferences>().DefaultsAsync(w.Admin),
                d => d is { EventKind: NotificationEvents.EmergencyRaised, Channel: NotificationChannels.Email, Enabled: true });

            // The manager's addresses, set by the administrator: a bad e-mail is refused at the field, then saved.
            await page.Find("[data-testid=contact-edit-pmmanager]").ClickAsync(new());
            page.WaitForAssertion(() => page.Find("[data-testid=contact-editor]"));
            // Someone else's addresses: the robot left unset is their department's, not "mine".
            Assert.Contains("其所在部门的机器人", page.Find("[data-testid=contact-editor]").InnerHtml);
            Assert.DoesNotContain("本部门的机器人", page.Find("[data-testid=contact-editor]").InnerHtml);
            Input(page, "contact-email").Change("wang@");
            Input(page, "contact-mobile").Change("138 0000 0002");
            await page.Find("[data-testid=contact-save]").ClickAsync(new());
            page.WaitForAssertion(() => Assert.Contains("请输入有效的邮箱地址。", page.Find("[data-testid=contact-editor]").TextContent));
            Input(page, "contact-email").Change("wang@example.cn");
            await page.Find("[data-testid=contact-save]").ClickAsync(new());
            page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=contact-editor]")));
            page.WaitForAssertion(() => Assert.Contains("138****0002", page.Find("[data-testid=contacts]").TextContent));

            // Edited again the mobile shows masked; left blank it is kept, the e-mail changes.
            await page.Find("[data-testid=contact-edit-pmmanager]").ClickAsync(new());
            page.WaitForAssertion(() => Assert.Contains("138****0002", page.Find("[data-testid=contact-editor]").TextContent));
            Assert.True(string.IsNullOrEmpty(Input(page, "contact-mobile").GetAttribute("value")));
            Input(page, "contact-email").Change("wang.li@example.cn");
            await page.Find("[data-testid=contact-save]").ClickAsync(new());
            page.WaitForAssertion(() => Assert.Contains("wang.li@example.cn", page.Find("[data-testid=contacts]").TextContent));

            // The next emergency: e-mail (the new default) to the new address, and SMS to the kept mobile.
            var id = await w.ReportFireAsync();
            var rows = (await w.OutboxAsync(id)).Where(r => r.UserIds.SequenceEqual([manager.Id]) && r.Channel != NotificationChannels.Robot).ToList();
            Assert.Contains(rows, r => (r.Channel, r.Address) == (NotificationChannels.Email, "wang.li@example.cn"));
            Assert.Contains(rows, r => (r.Channel, r.Address) == (NotificationChannels.Sms, "13800000002"));
        }
        finally
        {
            await w.Get<NotificationPreferences>().SaveDefaultsAsync(w.Admin, before);
        }
    }

    [Fact]
    public async Task Only_an_administrator_reads_or_sets_someone_elses_addresses()
    {
        var agent = await w.ActorAsync("agent");
        var manager = await w.ActorAsync("pmmanager");
        var preferences = w.Get<NotificationPreferences>();
        await Assert.ThrowsAsync<ForbiddenException>(() => preferences.GetContactAsync(agent, manager.Id));
        await Assert.ThrowsAsync<ForbiddenException>(() => preferences.SaveContactAsync(agent, manager.Id, new NotificationSettingsForm { Email = "x@example.cn" }));
        await Assert.ThrowsAsync<DomainException>(() => preferences.SaveContactAsync(w.Admin, int.MaxValue, new NotificationSettingsForm { Email = "x@example.cn" }));
    }
}
