using Microsoft.Playwright;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SignInBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [Fact]
    public async Task An_agent_sees_the_agent_menu_and_no_administration()
    {
        var page = await browser.SignInAsync(app, "agent");
        await Assertions.Expect(page.Locator("[data-testid=signed-in-user]")).ToContainTextAsync("王丽");
        await Assertions.Expect(page.Locator("[data-testid=nav-menu]")).ToContainTextAsync("客户");
        await Assertions.Expect(page.Locator("[data-testid=nav-admin]")).ToHaveCountAsync(0);

        // Typing the address of an admin page does not help.
        await BrowserFixture.GotoAsync(page, "/admin/users");
        await Assertions.Expect(page.Locator("[data-testid=access-denied]")).ToContainTextAsync("无权访问");
        await Assertions.Expect(page.Locator("[data-testid=users-grid]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_sees_the_administration_menu_and_the_staff_list()
    {
        var page = await browser.SignInAsync(app, "admin", "en");
        await Assertions.Expect(page.Locator("[data-testid=nav-admin]")).ToContainTextAsync("Administration");
        await page.ClickAsync("text=Staff accounts");
        await Assertions.Expect(page.Locator("[data-testid=users-grid]")).ToContainTextAsync("engmanager");
        await page.Context.CloseAsync();
    }
}
