using Dapper;
using Microsoft.Playwright;
using Npgsql;
using ServiceHub.Data.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Emergencies;

// Shares the collection's app: the manager's earlier alerts (other tests') are acknowledged first; each emergency is its own; together they move the clock 2 h 40.
[Collection(BrowserCollection.Name)]
public sealed class EmergencyBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    private NpgsqlDataSource Db => app.Get<NpgsqlDataSource>();

    [Fact]
    public async Task A_manager_on_another_page_sees_the_alert_appear_without_reloading_and_acknowledges_it()
    {
        var emergencies = app.Get<EmergencyRepository>();
        var manager = await app.ActorAsync("pmmanager");
        foreach (var pending in await emergencies.PendingAlertsAsync(manager.Id)) await emergencies.AcknowledgeAsync(manager, pending.AlertId); // other tests'
        var page = await browser.SignInAsync(app, "pmmanager", startAt: "/customers");
        await page.Locator("body[data-alerts=connected]").WaitForAsync();
        await page.EvaluateAsync("window.__samePage = true");
        await Assertions.Expect(page.Locator("[data-testid=emergency-alerts]")).ToHaveCountAsync(0);

        var id = await emergencies.ReportAsync(
            await app.ActorAsync("agent"), await EmergencyTestData.ReportAsync(Db, app.Clock.GetUtcNow(), "PM"));

        var alert = page.Locator("[data-testid=emergency-alerts] .mud-alert");
        await Assertions.Expect(alert).ToHaveCountAsync(1);
        await Assertions.Expect(alert).ToContainTextAsync("公共区域或房屋相邻部位的火灾、爆炸");
        await Assertions.Expect(alert).ToContainTextAsync("翠湖苑");
        // It happened 15 minutes before it was reported: the two hours run from then.
        await Assertions.Expect(alert.Locator("[data-testid=emergency-countdown]")).ToContainTextAsync("距两小时到场时限还剩 01:45:00");
        await Assertions.Expect(page.Locator("[data-testid=emergency-badge] .mud-badge")).ToContainTextAsync("1");
        Assert.True(await page.EvaluateAsync<bool>("window.__samePage === true")); // no reload

        // The countdown runs on the server's clock.
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await Assertions.Expect(alert.Locator("[data-testid=emergency-countdown]")).ToContainTextAsync("距两小时到场时限还剩 01:15:00");
        app.Clock.Advance(TimeSpan.FromMinutes(80));
        await Assertions.Expect(alert.Locator("[data-testid=emergency-countdown]")).ToContainTextAsync("已超过两小时到场时限 00:05:00");
        Assert.EndsWith("/customers", page.Url);

        await alert.Locator("[data-testid^=emergency-ack-]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=emergency-alerts]")).ToHaveCountAsync(0);
        await using var conn = await Db.OpenConnectionAsync();
        Assert.True(await conn.ExecuteScalarAsync<bool>("""
            SELECT a.acknowledged_at IS NOT NULL FROM emergency_alerts a JOIN users u ON u.id = a.user_id
            WHERE a.emergency_id = @id AND u.user_name = 'pmmanager'
            """, new { id }));

        // Acknowledged: not shown again after a reload.
        await page.ReloadAsync();
        await FixtureWaitAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=emergency-alerts]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_form_refuses_a_small_loss_at_the_amount_field_and_reports_a_large_one()
    {
        var page = await browser.SignInAsync(app, "agent", "en", startAt: "/emergencies/new");
        await PickAsync(page, "emergency-kind", "Company-liability compensation");
        await page.FillAsync("[data-testid=emergency-amount]", "4999");
        await PickAsync(page, "emergency-project", "翠湖苑");
        await page.FillAsync("[data-testid=emergency-location]", "Car park B2");
        await page.FillAsync("[data-testid=emergency-description]", "A ceiling panel fell on an owner's car.");
        await page.ClickAsync("[data-testid=emergency-submit]");

        var amountField = page.Locator(".mud-input-control").Filter(new() { Has = page.Locator("[data-testid=emergency-amount]") });
        await Assertions.Expect(amountField).ToContainTextAsync("Only a compensation or loss of 5,000 yuan or more is a first-class emergency.");
        await using (var conn = await Db.OpenConnectionAsync())
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM emergencies WHERE location = 'Car park B2'"));

        await page.FillAsync("[data-testid=emergency-amount]", "5000");
        // Commit the number field (its value binds on change) before submitting, so the click cannot race the new amount.
        await page.Locator("[data-testid=emergency-amount]").PressAsync("Tab");
        await page.ClickAsync("[data-testid=emergency-submit]");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/emergencies/\d+$"));
        await Assertions.Expect(page.Locator("[data-testid=emergency-timeline]")).ToContainTextAsync("Reported and alerted");
        await Assertions.Expect(page.Locator("[data-testid=emergency-recipients]")).ToContainTextAsync("张建国");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_manager_says_I_am_on_site_first_and_saves_the_findings_later()
    {
        var emergencies = app.Get<EmergencyRepository>();
        var reported = app.Clock.GetUtcNow();
        var id = await emergencies.ReportAsync(await app.ActorAsync("agent"),
            await EmergencyTestData.ReportAsync(Db, reported, "PM", occurredAt: reported.AddMinutes(-70)));
        var page = await browser.SignInAsync(app, "pmmanager", startAt: $"/emergencies/{id}");
        await Assertions.Expect(page.Locator("[data-testid=emergency-report-delay]")).ToContainTextAsync("发生后 1 小时 10 分 上报");
        await Assertions.Expect(page.Locator("[data-testid=emergency-report-delay]")).ToContainTextAsync("迟报");
        await Assertions.Expect(page.Locator("[data-testid=emergency-findings]")).ToContainTextAsync("到达现场后填写");

        // "I am on site": the time is now (the field left empty); nothing else is asked.
        app.Clock.Advance(TimeSpan.FromMinutes(20));
        var arrivedAt = Microseconds(app.Clock.GetUtcNow());
        await page.ClickAsync("[data-testid=arrival-submit]");
        await Assertions.Expect(page.Locator("[data-testid=emergency-arrived-at]")).ToContainTextAsync("按时到场");
        await Assertions.Expect(page.Locator("[data-testid=emergency-arrived-at]")).ToContainTextAsync("张建国");
        await using (var conn = await Db.OpenConnectionAsync())
        {
            var row = await conn.QuerySingleAsync<(string State, DateTimeOffset ArrivedAt, string? Cause)>(
                "SELECT state, arrived_at, cause FROM emergencies WHERE id = @id", new { id });
            Assert.Equal((EmergencyStates.OnSite, arrivedAt, (string?)null), row);
        }

        // The findings, half an hour later.
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await page.FillAsync("[data-testid=findings-cause]", "电动车充电线路短路");
        await page.FillAsync("[data-testid=findings-scope]", "3号楼地下车库B区");
        await page.FillAsync("[data-testid=findings-response]", "已断电、灭火，车主已通知");
        await page.Locator("[data-testid=findings-response]").PressAsync("Tab");
        await page.ClickAsync("[data-testid=findings-submit]");
        await Assertions.Expect(page.Locator("[data-testid=emergency-timeline]")).ToContainTextAsync("填写现场情况");
        await using (var conn = await Db.OpenConnectionAsync())
        {
            var row = await conn.QuerySingleAsync<(string? Cause, DateTimeOffset? FindingsAt, DateTimeOffset ArrivedAt)>(
                "SELECT cause, findings_at, arrived_at FROM emergencies WHERE id = @id", new { id });
            Assert.Equal(("电动车充电线路短路", Microseconds(app.Clock.GetUtcNow()), arrivedAt), (row.Cause, row.FindingsAt!.Value, row.ArrivedAt));
        }
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_form_says_clearly_that_an_attempted_theft_is_not_first_class()
    {
        var page = await browser.SignInAsync(app, "agent", startAt: "/emergencies/new");
        await PickAsync(page, "emergency-kind", "治安、刑事案件");
        await page.GetByText("仅为盗窃未遂").ClickAsync();
        await page.ClickAsync("[data-testid=emergency-submit]");
        await Assertions.Expect(page.Locator("[data-testid=emergency-attempted-error]")).ToContainTextAsync("盗窃未遂不属于一类突发事件");
        await page.Context.CloseAsync();
    }

    private static async Task PickAsync(IPage page, string testId, string text)
    {
        await page.ClickAsync($"[data-testid={testId}]");
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = text }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    /// <summary>A time as PostgreSQL keeps it (microseconds).</summary>
    private static DateTimeOffset Microseconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));

    private static Task FixtureWaitAsync(IPage page) => BrowserFixture.WaitInteractiveAsync(page);
}
