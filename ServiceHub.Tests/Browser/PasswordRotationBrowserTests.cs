using Dapper;
using Microsoft.Playwright;
using Npgsql;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

/// <summary>Issue #12, point 9: a shared account to rotate after a leaver opens nothing but the change-password page.</summary>
// Shares the collection's app: its accounts (cs-counter, cs-leaver, cs-colleague) are its own; the clock is not moved.
[Collection(BrowserCollection.Name)]
public sealed class PasswordRotationBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [Fact]
    public async Task A_shared_account_to_rotate_is_kept_on_the_change_password_page_until_it_changes_the_password()
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        var dept = await conn.ExecuteScalarAsync<int>("SELECT id FROM departments WHERE code = 'CS'");
        var users = app.Get<UserRepository>();
        async Task<int> UserAsync(string name, bool shared = false) => await users.SaveAsync(Actor.System, new UserEdit
        {
            UserName = name, DisplayName = name, Roles = [Roles.Agent], DepartmentId = dept, IsShared = shared, NewPassword = "Counter2026",
        });
        await UserAsync("cs-counter", shared: true);
        await app.Get<OffboardingService>().OffboardAsync(Actor.System, await UserAsync("cs-leaver"), await UserAsync("cs-colleague"));

        var page = await browser.SignInAsync(app, "cs-counter", password: "Counter2026");
        Assert.EndsWith("/account/password", page.Url);
        await Assertions.Expect(page.Locator("[data-testid=pw-rotation-required]")).ToContainTextAsync("部门共用账号");

        // No menu to leave by, and an address typed by hand leads back here.
        await Assertions.Expect(page.Locator("[data-testid=nav-complaints]")).ToHaveCountAsync(0);
        await BrowserFixture.GotoAsync(page, "/complaints");
        await page.WaitForURLAsync(u => u.EndsWith("/account/password"));
        await Assertions.Expect(page.Locator("[data-testid=pw-rotation-required]")).ToBeVisibleAsync();

        await page.FillAsync("input[data-testid=pw-current]", "Counter2026");
        await page.FillAsync("input[data-testid=pw-new]", "Rotated2026x");
        await page.FillAsync("input[data-testid=pw-confirm]", "Rotated2026x");
        await page.ClickAsync("[data-testid=pw-save]");
        await page.WaitForURLAsync(u => u.Contains("/account/login"));

        await page.FillAsync("#username", "cs-counter");
        await page.FillAsync("#password", "Rotated2026x");
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(u => !u.Contains("/account/"), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.Context.CloseAsync();
    }
}
