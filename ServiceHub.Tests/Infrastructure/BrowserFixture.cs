using Microsoft.Playwright;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>Debian's headless Chromium driven by Playwright (no browser download); one per <see cref="BrowserCollection"/>.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        // Expect(...) returns as soon as its condition holds; its ceiling (5 s by default) is the context's action timeout here, for a
        // 2-core box that other work loads (the first action on a cold host took over 15 s there).
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>
    /// A new browser context signed in as <paramref name="userName"/> through the sign-in page; returns the page on home, or on
    /// <paramref name="startAt"/> (the sign-in page's ReturnUrl, as when a user follows a link while signed out: one page load and one
    /// circuit fewer than home first).
    /// </summary>
    public async Task<IPage> SignInAsync(AppFactory app, string userName, string culture = "zh-CN", string password = ServiceHub.Data.Admin.DemoSeeder.DemoPassword,
        string? startAt = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        // Generous ceilings: the CI box is a loaded 2-core machine and the first page of a fresh host is cold.
        // Playwright still proceeds the moment the condition holds.
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        var login = startAt is null ? "/account/login" : $"/account/login?ReturnUrl={Uri.EscapeDataString(startAt)}";
        await page.GotoAsync($"/culture/set?culture={culture}&redirectUri={Uri.EscapeDataString(login)}");
        await page.FillAsync("#username", userName);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(u => !u.Contains("/account/login"), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>Clicks on a prerendered page are lost until the circuit is live: wait for the layout's marker.</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("[data-testid=interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 60_000 });

    public static async Task GotoAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await WaitInteractiveAsync(page);
    }
}
