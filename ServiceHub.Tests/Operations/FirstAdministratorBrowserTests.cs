using Microsoft.Playwright;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>The operator's journey on a production start: admin create, first sign-in through the real form, forced password change.</summary>
// An app of its own (a production start, no demo), the collection's Chromium.
[Collection(BrowserCollection.Name)]
public sealed class FirstAdministratorBrowserTests(ProductionBrowserAppFactory app, BrowserFixture browser) : IClassFixture<ProductionBrowserAppFactory>
{
    [Fact]
    public async Task The_first_administrator_changes_the_generated_password_before_anything_else()
    {
        var (name, password) = await ProductionStartTests.CreateAdministratorAsync(app.ConnectionString, "chief");

        var page = await browser.SignInAsync(app, name, "en", password);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/password$"));
        await Assertions.Expect(page.Locator("[data-testid=pw-required]")).ToContainTextAsync("change it before you continue");
        await Assertions.Expect(page.Locator("[data-testid=nav-menu]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("[data-testid=demo-banner]")).ToHaveCountAsync(0);

        // Typing another address does not help, nor does navigating inside the live page.
        await BrowserFixture.GotoAsync(page, "/admin/users");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/password$"));
        // (What was typed before is gone once the form is shown again: that is the sign it was left and re-entered.)
        await page.Locator("input[data-testid=pw-current]").FillAsync("typed before");
        await page.EvaluateAsync("() => Blazor.navigateTo('/admin/departments')");
        await Assertions.Expect(page.Locator("input[data-testid=pw-current]")).ToHaveValueAsync("");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/password$"));
        await Assertions.Expect(page.Locator("[data-testid=department-new]")).ToHaveCountAsync(0);

        await page.Locator("input[data-testid=pw-current]").FillAsync(password);
        await page.Locator("input[data-testid=pw-new]").FillAsync("Chief0wnPassword");
        await page.Locator("input[data-testid=pw-confirm]").FillAsync("Chief0wnPassword");
        await page.ClickAsync("[data-testid=pw-save]");
        await page.WaitForURLAsync(u => u.Contains("/account/login"));

        // Signed in again with the new password: the whole app, administration included, and the warning that no backup exists yet.
        await page.FillAsync("#username", name);
        await page.FillAsync("#password", "Chief0wnPassword");
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(u => !u.Contains("/account/"), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await BrowserFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=nav-admin]")).ToContainTextAsync("Administration");
        await Assertions.Expect(page.Locator("[data-testid=backup-warning]")).ToContainTextAsync("no good backup yet");
        await page.Context.CloseAsync();
    }
}
