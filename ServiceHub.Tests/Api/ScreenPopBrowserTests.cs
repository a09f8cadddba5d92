using System.Net.Http.Json;
using Dapper;
using Microsoft.Playwright;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Integrations;
using ServiceHub.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ServiceHub.Tests.Api;

/// <summary>Issue #13 point 10: the agent at the extension sees the caller pop up on whatever page, and one click opens the pre-filled intake.</summary>
public sealed class ScreenPopBrowserTests(ApiAppFactory app, BrowserFixture browser) : IClassFixture<ApiAppFactory>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_agent_sees_the_callers_dossier_pop_up_and_registers_the_call_on_a_pre_filled_intake_form()
    {
        await using (var conn = await app.Db.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE users SET extension = '8101' WHERE user_name = 'agent'");
        var phone = await app.AnyCustomerPhoneAsync();
        string name;
        await using (var conn = await app.Db.OpenConnectionAsync())
            name = await conn.ExecuteScalarAsync<string>("SELECT name FROM customers WHERE phone = @phone", new { phone }) ?? "";
        var cti = await app.IssueKeyAsync("browser exchange", [ApiScopes.Cti], [Roles.Agent]);

        var page = await browser.SignInAsync(app, "agent", startAt: "/complaints");
        // A locator, not a page function: the strict CSP (no eval) blocks Playwright's polling of a function in the page.
        await Expect(page.Locator("body[data-alerts=connected]")).ToHaveCountAsync(1);

        using var client = app.ApiClient(cti.Key);
        (await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = phone, extension = "8101" })).EnsureSuccessStatusCode();

        var pop = page.Locator("[data-testid=screen-pop]");
        await Expect(pop).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=screen-pop-name]")).ToHaveTextAsync(name);
        await Expect(pop).Not.ToContainTextAsync(phone);
        if (Environment.GetEnvironmentVariable("SERVICEHUB_SCREENSHOTS") is { Length: > 0 } dir)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, "screen-pop-zh-CN.png") });

        await page.ClickAsync("[data-testid=screen-pop-register]");
        await page.WaitForURLAsync(u => u.Contains("/intake?call="));
        await BrowserFixture.WaitInteractiveAsync(page);
        await Expect(page.Locator("[data-testid=intake-call]")).ToBeVisibleAsync();
        await Expect(page.Locator("input[data-testid=intake-customer]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(name)));
        await Expect(page.Locator("[data-testid=intake-channel]")).ToContainTextAsync("来电");

        // Registered from the pop-up: the contact page shows when the call started, as the telephone system announced it.
        await page.Locator("textarea[data-testid=intake-content]").FillAsync("询问车位租赁的续费方式");
        await page.Locator("textarea[data-testid=intake-answer]").FillAsync("可在物业前台或线上续费");
        await page.Locator("[data-testid=intake-satisfied] input[type=radio]").First.ClickAsync();
        await page.Locator("[data-testid=intake-save]").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("已登记：LD-");
        long contactId;
        DateTimeOffset started;
        await using (var conn = await app.Db.OpenConnectionAsync())
            (contactId, started) = await conn.QuerySingleAsync<(long, DateTimeOffset)>(
                "SELECT ct.id, ct.call_started_at FROM contacts ct JOIN cti_calls c ON c.id = ct.call_id WHERE c.extension = '8101'");
        await BrowserFixture.GotoAsync(page, $"/intake/contacts/{contactId}");
        await Expect(page.Locator("[data-testid=call-started-at]")).ToHaveTextAsync(ServiceHub.Data.Infrastructure.BusinessTime.Format(started));
        await page.Context.CloseAsync(); // its renderer, circuit and alerts connection do not stay open for the rest of the run
    }
}
