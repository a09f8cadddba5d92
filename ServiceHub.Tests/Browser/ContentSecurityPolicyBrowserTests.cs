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

    /// <summary>How many tabs visit the pages at once.</summary>
    private const int Tabs = 4;

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
        var violations = new List<string>();
        async Task<IPage> NewPageAsync()
        {
            var page = await context.NewPageAsync();
            page.Console += (_, message) =>
            {
                if (message.Type == "error" && (message.Text.Contains("Content Security Policy") || message.Text.StartsWith("CSP violation")))
                    lock (violations) violations.Add($"{page.Url}: {message.Text}");
            };
            return page;
        }

        var first = await NewPageAsync();
        var login = await first.GotoAsync("/account/login");
        Assert.Contains("script-src 'self';", await login!.HeaderValueAsync("content-security-policy"));
        await first.FillAsync("#username", "admin");
        await first.FillAsync("#password", ServiceHub.Data.Admin.DemoSeeder.DemoPassword);
        await first.ClickAsync("[data-testid=login-submit]");
        await first.WaitForURLAsync(u => !u.Contains("/account/login"));
        await BrowserFixture.WaitInteractiveAsync(first);

        // The pages are visited by a few tabs of the signed-in context at once: a visit mostly waits (for the circuit, then for the
        // network to stay idle half a second), so the tabs overlap their waits. Every page is still loaded on its own and checked.
        var pages = Pages().ToList();
        var tabs = new List<IPage> { first };
        for (var i = 1; i < Tabs; i++) tabs.Add(await NewPageAsync());
        var visited = new List<string>();
        await Task.WhenAll(tabs.Select(async (tab, i) =>
        {
            for (var p = i; p < pages.Count; p += tabs.Count)
            {
                var (path, interactive) = pages[p];
                var response = await tab.GotoAsync(path);
                Assert.Contains("frame-ancestors 'none'", await response!.HeaderValueAsync("content-security-policy") ?? "");
                if (interactive) await BrowserFixture.WaitInteractiveAsync(tab);
                await tab.WaitForLoadStateAsync(LoadState.NetworkIdle);
                lock (visited) visited.Add(path);
            }
        }));

        Assert.True(visited.Count > 40, string.Join(", ", visited));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        await context.CloseAsync();
    }
}
