using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>The whole app over a fresh test database (demo company seeded), Hangfire's server off, the clock under test control.</summary>
public class AppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    protected virtual bool Kestrel => false;
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        ConnectionString = await TestServer.CreateDatabaseAsync(GetType().Name);
        if (Kestrel) UseKestrel(0);
        StartServer();
        if (Kestrel) await WarmUpAsync();
    }

    /// <summary>One request through the sign-in page before a browser arrives, so its first navigation does not pay for start-up.</summary>
    private async Task WarmUpAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        (await http.GetAsync("/account/login")).EnsureSuccessStatusCode();
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await TestServer.DropDatabaseAsync(ConnectionString);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:ServiceHub", ConnectionString);
        builder.UseSetting("ServiceHub:SeedDemo", "true");
        builder.UseSetting("Hangfire:Server", "false");
        builder.UseSetting("DataProtection:AllowUnencryptedKeys", "true");
        // TestServer has no client address, so every test client shares one; the limits themselves are tested in TransportSecurityTests.
        builder.UseSetting("SignIn:RateLimit:PerIp:PermitLimit", "1000");
        foreach (var (k, v) in Settings) builder.UseSetting(k, v);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(Clock);
        });
    }

    public string BaseUrl => ClientOptions.BaseAddress.ToString().TrimEnd('/');

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>An HTTP client signed in through the real sign-in form.</summary>
    public async Task<HttpClient> SignedInClientAsync(string userName, string password = ServiceHub.Data.Admin.DemoSeeder.DemoPassword)
    {
        // Cookies kept, redirects not followed (as CreateClient with AllowAutoRedirect = false, HandleCookies = true).
        var client = CreateDefaultClient(ClientOptions.BaseAddress, new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(), new RetryGetOnTransportError());
        var (status, _) = await SignInAsync(client, userName, password);
        if (status != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in of {userName} failed: {status}");
        return client;
    }

    public static async Task<(HttpStatusCode Status, string Body)> SignInAsync(HttpClient client, string userName, string password)
    {
        var response = await PostSignInAsync(client, userName, password);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The sign-in form posted as a browser does (to <paramref name="path"/>, which may carry a ReturnUrl); the whole response.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string userName, string password, string path = "/account/login") =>
        await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(client),
            ["_handler"] = "login",
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        }));

    /// <summary>An antiforgery token for this client's cookies (and its user, when signed in), from the sign-in form.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client) =>
        Regex.Match(await client.GetStringAsync("/account/login"), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

    /// <summary>The sign-out button of the user menu.</summary>
    public static async Task<HttpResponseMessage> SignOutAsync(HttpClient client) =>
        await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(client),
        }));
}

/// <summary>
/// TestHost's in-memory transport once failed, rarely and only under load, while copying a response body ("Error while copying
/// content to a stream" over an IndexOutOfRangeException inside it). An idempotent GET is sent once more; what the test asserts of
/// the page is unaffected, and any other failure still fails the test.
/// </summary>
public sealed class RetryGetOnTransportError : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Get) return await base.SendAsync(request, cancellationToken);
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
