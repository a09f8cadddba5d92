using Microsoft.Playwright;
using ServiceHub.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ServiceHub.Tests.Browser;

/// <summary>In the browser: a new staff account saved empty shows each missing field's message under that field, in either language.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminFormBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [Theory]
    [InlineData("zh-CN", "此项必填。", "请至少选择一个角色。")]
    [InlineData("en", "This field is required.", "Choose at least one role.")]
    public async Task A_new_staff_account_saved_empty_shows_the_messages_at_the_fields(string culture, string required, string roles)
    {
        var page = await browser.SignInAsync(app, "admin", culture, startAt: "/admin/users");
        await page.ClickAsync("[data-testid=user-new]");
        await page.ClickAsync("[data-testid=user-save]");

        ILocator Field(string testId) => page.Locator($".mud-input-control:has([data-testid={testId}]) .mud-input-helper-text.mud-input-error");
        await Expect(Field("user-username")).ToContainTextAsync(required);
        await Expect(Field("user-displayname")).ToContainTextAsync(required);
        await Expect(Field("user-roles")).ToContainTextAsync(roles);
        await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(0);
        if (Environment.GetEnvironmentVariable("SERVICEHUB_SCREENSHOTS") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, $"user-dialog-refused-{culture}.png") });
        await page.Context.CloseAsync();
    }
}
