using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.Playwright;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

/// <summary>Issue #12, point 11: every page works under the Content-Security-Policy (no inline script, no eval).</summary>
// Shares the collection's app: it only opens pages (as the admin), the clock is not moved.
[Collection(BrowserCollection.Name)]
public sealed partial class ContentSecurityPolicyBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    /// <summary>Every routable page of the app (from its own route table), a parameter filled with a plausible value, and the jobs dashboard.</summary>
    private static IEnumerable<(string Path, bool Interactive)> Pages() =>
        typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (
                Path: RouteParameter().Replace(r.Template, m => m.Value.StartsWith("{Year", StringComparison.Ordinal) ? "2025" : "1"),
                Interactive: t.GetCustomAttribute<ExcludeFromInteractiveRoutingAttribute>() is null)))
            .OrderBy(p => p.Path)
            .Append(("/hangfire", false));

    [Fact]
    public async Task Every_page_loads_under_the_content_security_policy_without_a_violation()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl });
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(60_000);
        // Chromium logs a refused resource as a console error; the page's own securitypolicyviolation event names the directive.
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
              console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' in ' + e.sourceFile + ':' + e.lineNumber));
            """);
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && (message.Text.Contains("Content Security Policy") || message.Text.StartsWith("CSP violation")))
                lock (violations) violations.Add($"{page.Url}: {message.Text}");
        };

        var login = await page.GotoAsync("/account/login");
        Assert.Contains("script-src 'self';", await login!.HeaderValueAsync("content-security-policy"));
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", ServiceHub.Data.Admin.DemoSeeder.DemoPassword);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(u => !u.Contains("/account/login"));
        await BrowserFixture.WaitInteractiveAsync(page);

        var visited = new List<string>();
        foreach (var (path, interactive) in Pages())
        {
            var response = await page.GotoAsync(path);
            Assert.Contains("frame-ancestors 'none'", await response!.HeaderValueAsync("content-security-policy") ?? "");
            if (interactive) await BrowserFixture.WaitInteractiveAsync(page);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            visited.Add(path);
        }

        Assert.True(visited.Count > 40, string.Join(", ", visited));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        await context.CloseAsync();
    }
}
