using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ServiceHub.Tests.Browser;

/// <summary>
/// In the browser: the escalation sweep's warning of a complaint nobody handles yet (one department event, sql/0250) reaches each handler
/// of the department live in the bell; opening it marks it read for that handler only.
/// </summary>
// Shares the collection's app: a department and two handlers of its own; the clock is not moved (the deadline is put due by SQL).
[Collection(BrowserCollection.Name)]
public sealed class DepartmentWarningBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [Theory]
    [InlineData("zh-CN", "即将到期")]
    [InlineData("en", "is near")]
    public async Task A_handler_sees_the_departments_warning_live_and_reading_it_leaves_it_unread_for_the_other(string culture, string text)
    {
        await app.Get<ServiceHub.App.Infrastructure.NotificationFeed>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
        var suffix = culture == "en" ? "en" : "zh";
        var users = app.Get<UserRepository>();
        var departmentId = await app.Get<DepartmentRepository>().SaveAsync(Actor.System,
            new DepartmentEdit { Code = $"WARN{suffix}", Name = "维修部" + suffix, NameEn = "Repairs " + suffix });
        await users.SaveAsync(Actor.System, new UserEdit
        {
            UserName = $"warned-{suffix}", DisplayName = "周强", Roles = [Roles.Handler], DepartmentId = departmentId, NewPassword = "Warned2026",
        });
        await users.SaveAsync(Actor.System, new UserEdit
        {
            UserName = $"colleague-{suffix}", DisplayName = "吴军", Roles = [Roles.Handler], DepartmentId = departmentId, NewPassword = "Warned2026",
        });
        var colleague = (await users.FindByUserNameAsync($"colleague-{suffix}"))!.Id;
        var customer = (await app.Get<CustomerRepository>().SearchAsync(Actor.System, null, null, 5, 1)).Items[0];
        var r = await app.Get<IntakeRepository>().RegisterAsync(await app.ActorAsync("agent"), new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customer.Id, Content = "电梯间照明损坏，晚上无法看清按钮",
            DispatchDepartmentId = departmentId, UrgencyMinutes = 30,
        });
        var id = r.ComplaintId!.Value;
        var page = await browser.SignInAsync(app, $"warned-{suffix}", culture, "Warned2026");
        var notifications = app.Get<NotificationRepository>();
        var me = (await users.FindByUserNameAsync($"warned-{suffix}"))!.Id;
        await notifications.MarkReadAsync(me);
        await notifications.MarkReadAsync(colleague);
        await page.ReloadAsync();
        await BrowserFixture.WaitInteractiveAsync(page);
        await Expect(page.Locator("[data-testid=notification-count] .mud-badge")).ToBeHiddenAsync();

        // The contact deadline reaches its warning stage (80% of 30 minutes) and the sweep runs.
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
            await conn.ExecuteAsync("UPDATE complaint_deadlines SET next_at = @now WHERE complaint_id = @id AND kind = 'contact' AND stage = 'pending'",
                new { id, now = app.Clock.GetUtcNow() });
        await app.Get<EscalationSweep>().RunAsync();

        await Expect(page.Locator("[data-testid=notification-count] .mud-badge")).ToHaveTextAsync("1");
        await page.Locator("[data-testid=notification-count]").ClickAsync();
        var item = page.Locator("[data-testid=notification-item]").Filter(new() { HasText = text });
        await Expect(item).ToHaveCountAsync(1);
        if (Environment.GetEnvironmentVariable("SERVICEHUB_SCREENSHOTS") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, $"department-warning-bell-{culture}.png") });

        await item.ClickAsync();
        await page.WaitForURLAsync($"**/complaints/{id}");
        await Expect(page.Locator("[data-testid=notification-count] .mud-badge")).ToBeHiddenAsync();
        Assert.Equal(1, await notifications.UnreadCountAsync(colleague));
        await page.Context.CloseAsync();
    }
}
