using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

/// <summary>
/// The app as deployed at https://servicehub.example.com behind a reverse proxy (10.9.9.9, or any of 10.8.0.0/16), with small
/// sign-in limits. Each request names the address it comes from in <see cref="ClientAddress.Header"/>.
/// </summary>
public sealed class ProxiedAppFactory : AppFactory
{
    public const string PublicHost = "servicehub.example.com";
    public const string Proxy = "10.9.9.9";
    public const int PerIp = 5, PerAccount = 3;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ServiceHub:PublicUrl"] = $"https://{PublicHost}",
        ["ReverseProxy:KnownProxies:0"] = Proxy,
        ["ReverseProxy:KnownNetworks"] = "10.8.0.0/16",
        ["SignIn:RateLimit:PerIp:PermitLimit"] = PerIp.ToString(),
        ["SignIn:RateLimit:PerIp:Window"] = "01:00:00",
        ["SignIn:RateLimit:PerAccount:PermitLimit"] = PerAccount.ToString(),
        ["SignIn:RateLimit:PerAccount:Window"] = "01:00:00",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, ClientAddress>());
    }

    /// <summary>A browser at <paramref name="from"/> (a proxy when <paramref name="forwardedFor"/> is given), cookies kept, redirects not followed.</summary>
    public HttpClient Client(string from, bool https = true, string? forwardedFor = null, string? forwardedProto = null)
    {
        var client = CreateDefaultClient(new Uri($"{(https ? "https" : "http")}://{PublicHost}"), new CookieContainerHandler());
        client.DefaultRequestHeaders.Add(ClientAddress.Header, from);
        if (forwardedFor is not null) client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        if (forwardedProto is not null) client.DefaultRequestHeaders.Add("X-Forwarded-Proto", forwardedProto);
        return client;
    }
}

/// <summary>TestServer has no network peer: the test says which address a request comes from, before anything else runs.</summary>
public sealed class ClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var peer)) context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
            return nextMiddleware(context);
        });
        next(app);
    };
}

public sealed partial class TransportSecurityTests(ProxiedAppFactory app) : IClassFixture<ProxiedAppFactory>
{
    private async Task<string?> LastAuditIpAsync(string userName)
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        return await conn.ExecuteScalarAsync<string?>("SELECT ip FROM audit_log WHERE user_name = @userName ORDER BY id DESC LIMIT 1", new { userName });
    }

    [Fact]
    public async Task Over_the_account_limit_the_sign_in_answers_429_with_a_localised_page_and_checks_no_password()
    {
        var first = app.Client("10.1.0.1");
        for (var i = 0; i < ProxiedAppFactory.PerAccount; i++)
            Assert.Equal(HttpStatusCode.OK, (await AppFactory.PostSignInAsync(first, "agent", "wrong-" + i)).StatusCode);

        var limited = await AppFactory.PostSignInAsync(first, "agent", DemoSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("登录尝试过于频繁", await limited.Content.ReadAsStringAsync());
        Assert.DoesNotContain(limited.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("servicehub.auth="));

        // The account's limit holds from another address too, in English for an English browser; other accounts are not held up.
        var second = app.Client("10.1.0.2");
        await second.GetAsync("/culture/set?culture=en&redirectUri=/account/login");
        var english = await AppFactory.PostSignInAsync(second, "AGENT ", DemoSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, english.StatusCode);
        var page = await english.Content.ReadAsStringAsync();
        Assert.Contains("Too many sign-in attempts", page);
        Assert.Contains("<html lang=\"en\">", page);
        Assert.Equal(HttpStatusCode.Redirect, (await AppFactory.PostSignInAsync(second, "agent2", DemoSeeder.DemoPassword)).StatusCode);
    }

    [Fact]
    public async Task Over_the_address_limit_the_sign_in_answers_429_whatever_the_account()
    {
        var client = app.Client("10.2.0.1");
        for (var i = 0; i < ProxiedAppFactory.PerIp; i++)
            Assert.Equal(HttpStatusCode.OK, (await AppFactory.PostSignInAsync(client, $"sprayed-{i}", "Spring2026")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await AppFactory.PostSignInAsync(client, "sprayed-last", "Spring2026")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AppFactory.PostSignInAsync(app.Client("10.2.0.2"), "sprayed-last", "Spring2026")).StatusCode);
    }

    [Fact]
    public async Task A_forged_forwarded_header_does_not_dodge_the_address_limit_and_a_real_proxy_separates_its_clients()
    {
        for (var i = 0; i < ProxiedAppFactory.PerIp; i++)
            Assert.Equal(HttpStatusCode.OK, (await AppFactory.PostSignInAsync(app.Client("10.3.0.1", forwardedFor: $"198.51.100.{i}"), $"forger-{i}", "x1234567")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await AppFactory.PostSignInAsync(app.Client("10.3.0.1", forwardedFor: "198.51.100.99"), "forger-last", "x1234567")).StatusCode);

        // Through the configured proxy every office PC is its own address.
        for (var i = 0; i <= ProxiedAppFactory.PerIp; i++)
            Assert.Equal(HttpStatusCode.OK, (await AppFactory.PostSignInAsync(app.Client(ProxiedAppFactory.Proxy, forwardedFor: $"192.0.2.{i}"), $"office-{i}", "x1234567")).StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_are_believed_from_the_configured_proxies_only()
    {
        await AppFactory.PostSignInAsync(app.Client(ProxiedAppFactory.Proxy, forwardedFor: "203.0.113.5"), "via-proxy", "x1234567");
        Assert.Equal("203.0.113.5", await LastAuditIpAsync("via-proxy"));
        await AppFactory.PostSignInAsync(app.Client("10.0.0.7", forwardedFor: "203.0.113.6"), "via-stranger", "x1234567");
        Assert.Equal("10.0.0.7", await LastAuditIpAsync("via-stranger"));

        // Plain http reaching the app: HTTPS from a proxy that says the browser used it, else a redirect to HTTPS.
        Assert.Equal(HttpStatusCode.OK, (await app.Client(ProxiedAppFactory.Proxy, https: false, forwardedProto: "https").GetAsync("/account/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client("10.8.4.2", https: false, forwardedProto: "https").GetAsync("/account/login")).StatusCode);
        var stranger = await app.Client("10.0.0.7", https: false, forwardedProto: "https").GetAsync("/account/login?x=1");
        Assert.Equal(HttpStatusCode.PermanentRedirect, stranger.StatusCode);
        Assert.Equal($"https://{ProxiedAppFactory.PublicHost}/account/login?x=1", stranger.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Over_https_answers_carry_hsts_and_every_cookie_is_secure()
    {
        var client = app.Client("10.4.0.1");
        var form = await client.GetAsync("/account/login");
        Assert.Equal("max-age=31536000", form.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.All(form.Headers.GetValues("Set-Cookie"), c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));

        var signIn = await AppFactory.PostSignInAsync(client, "agent2", DemoSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var auth = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("servicehub.auth="));
        Assert.Contains("; secure", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", auth, StringComparison.OrdinalIgnoreCase);
        var culture = await client.GetAsync("/culture/set?culture=en&redirectUri=/");
        Assert.Contains("; secure", culture.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [Theory]
    [InlineData("/account/login", HttpStatusCode.OK)]
    [InlineData("/app.css", HttpStatusCode.OK)]
    [InlineData("/admin/users", HttpStatusCode.Redirect)]
    [InlineData("/healthz", HttpStatusCode.OK)]
    public async Task Every_answer_carries_the_content_security_policy_and_the_browser_headers(string path, HttpStatusCode status)
    {
        var response = await app.Client("10.5.0.1").GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp);           // no 'unsafe-inline', no 'unsafe-eval' for scripts
        Assert.Contains("style-src 'self' 'unsafe-inline';", csp); // MudBlazor's style attributes
        Assert.Contains($"connect-src 'self' wss://{ProxiedAppFactory.PublicHost};", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        if (response.Content.Headers.ContentType?.MediaType == "text/html")
            Assert.DoesNotMatch(InlineScript(), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_signed_in_pages_carry_no_inline_script()
    {
        var client = app.Client("10.6.0.1");
        Assert.Equal(HttpStatusCode.Redirect, (await AppFactory.PostSignInAsync(client, "admin", DemoSeeder.DemoPassword)).StatusCode);
        foreach (var path in new[] { "/", "/complaints", "/admin/users", "/account/password" })
        {
            var page = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.DoesNotMatch(InlineScript(), await page.Content.ReadAsStringAsync());
        }
    }
}
