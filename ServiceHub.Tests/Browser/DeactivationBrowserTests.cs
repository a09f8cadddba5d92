using Microsoft.Playwright;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

/// <summary>The collection's app re-checks live sessions every second, so the test sees a session end without waiting 30 s; the leaver is its own.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DeactivationBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [Fact]
    public async Task A_deactivated_users_open_page_is_signed_out_without_any_click()
    {
        var users = app.Get<UserRepository>();
        await users.SaveAsync(Actor.System, new UserEdit { UserName = "leaving", DisplayName = "将离职", Roles = [Roles.Agent], NewPassword = "Leaving2026" });
        var page = await browser.SignInAsync(app, "leaving", password: "Leaving2026", startAt: "/customers");

        var id = (await users.FindByUserNameAsync("leaving"))!.Id;
        await users.DeactivateAsync(Actor.System, id);

        await page.WaitForURLAsync(u => u.Contains("/account/login"), new PageWaitForURLOptions { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#username")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Signing_out_in_one_tab_ends_the_live_page_in_another_without_any_click()
    {
        await app.Get<UserRepository>().SaveAsync(Actor.System, new UserEdit { UserName = "two-tabs", DisplayName = "两个标签页", Roles = [Roles.Agent], NewPassword = "TwoTabs2026" });
        var first = await browser.SignInAsync(app, "two-tabs", password: "TwoTabs2026");
        var second = await first.Context.NewPageAsync();
        await BrowserFixture.GotoAsync(second, "/customers");

        await first.ClickAsync("[data-testid=signed-in-user]");
        await first.ClickAsync("[data-testid=sign-out]");
        await first.WaitForURLAsync(u => u.Contains("/account/login"));

        await second.WaitForURLAsync(u => u.Contains("/account/login"), new PageWaitForURLOptions { Timeout = 30_000 });
        await Assertions.Expect(second.Locator("#username")).ToBeVisibleAsync();
        await first.Context.CloseAsync();
    }
}
