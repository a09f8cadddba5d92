using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The whole app over a fresh test database (demo company seeded), Hangfire's server off, the clock under test control: it starts
/// at <see cref="TestClock.Start"/> (the demo company is seeded at that instant) and moves only when a test moves it.
/// Shared by the tests of <see cref="AppCollection"/>. <see cref="AppOnDatabase"/> runs it over a database and clock it is given
/// (a private cluster's, or the one another instance runs on).
/// </summary>
public class AppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public virtual FakeTimeProvider Clock { get; } = new(TestClock.Start);
    protected virtual bool Kestrel => false;
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>
    /// The app's database: a fresh copy of the migrated template, dropped with the app; of the demo template when the app would seed the
    /// demo company (without its history) at <see cref="TestClock.Start"/> — its start then finds the demo there, as a restart would.
    /// </summary>
    protected virtual Task<string> CreateDatabaseAsync() =>
        SeedsDemoAtTestClockStart ? TestServer.CreateDemoDatabaseAsync(GetType().Name) : TestServer.CreateDatabaseAsync(GetType().Name);

    private bool SeedsDemoAtTestClockStart
    {
        get
        {
            var settings = Settings;
            return Clock.GetUtcNow() == TestClock.Start
                && !(settings.TryGetValue("ServiceHub:SeedDemo", out var demo) && !bool.Parse(demo ?? "false"))
                && !(settings.TryGetValue("ServiceHub:SeedDemoHistory", out var history) && bool.Parse(history ?? "false"));
        }
    }

    protected virtual Task DropDatabaseAsync(string connectionString) => TestServer.DropDatabaseAsync(connectionString);

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
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
        // Hangfire keeps one static log provider: the last app to configure it. Other apps of the run outlive this one, so they must
        // not be left logging through this app's disposed logger factory.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(SilentHangfireLog.Instance);
        await base.DisposeAsync();
        await DropDatabaseAsync(ConnectionString);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:ServiceHub", ConnectionString);
        builder.UseSetting("ServiceHub:SeedDemo", "true");
        builder.UseSetting("Hangfire:Server", "false");
        builder.UseSetting("DataProtection:AllowUnencryptedKeys", "true");
        // TestServer has no client address, so every test client shares one, and the tests of a collection sign the demo users in
        // many times a minute; the limits themselves are tested in TransportSecurityTests.
        builder.UseSetting("SignIn:RateLimit:PerIp:PermitLimit", "1000");
        builder.UseSetting("SignIn:RateLimit:PerAccount:PermitLimit", "1000");
        // Likewise the customer search's per-user window: the collection's clock is fixed, so the window never moves on and the demo
        // users' searches of every test of the collection would add up; the limit itself is tested in CustomerTests.
        builder.UseSetting("Customers:Search:PermitLimit", "100000");
        foreach (var (k, v) in Settings) builder.UseSetting(k, v);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            // The test's clock, except MudBlazor's own timers (a debounce, a validation delay): they run in real time, as for a user.
            s.AddSingleton<TimeProvider>(new UiTimersInRealTime(Clock));
        });
    }

    public string BaseUrl => ClientOptions.BaseAddress.ToString().TrimEnd('/');

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A demo user (or one a test created) as the actor it signs in as.</summary>
    public Task<Actor> ActorAsync(string userName) => Get<UserRepository>().ActorAsync(userName);

    /// <summary>An HTTP client signed in through the real sign-in form; cookies kept, redirects not followed.</summary>
    public async Task<HttpClient> SignedInClientAsync(string userName, string password = DemoSeeder.DemoPassword)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
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
/// The app over a database it neither makes nor drops, on a clock it is given: a second instance beside another on one database and
/// one clock, or the app over a private cluster's database (its migrations and demo company made at its start).
/// </summary>
public class AppOnDatabase(string connectionString, FakeTimeProvider clock, bool kestrel = false, IDictionary<string, string?>? settings = null) : AppFactory
{
    public override FakeTimeProvider Clock => clock;
    protected override bool Kestrel => kestrel;
    protected override IDictionary<string, string?> Settings => settings ?? new Dictionary<string, string?>();
    protected override Task<string> CreateDatabaseAsync() => Task.FromResult(connectionString);
    protected override Task DropDatabaseAsync(string connectionString) => Task.CompletedTask;

    /// <summary>Started (migrations, demo company); the caller disposes it (<see cref="AppFactory.DisposeAsync"/>).</summary>
    public static async Task<AppOnDatabase> StartAsync(string connectionString, FakeTimeProvider clock, bool kestrel = false, IDictionary<string, string?>? settings = null)
    {
        var app = new AppOnDatabase(connectionString, clock, kestrel, settings);
        await app.InitializeAsync();
        return app;
    }
}

/// <summary>Hangfire's log, silent: for apps of a test run that outlive the one whose logger Hangfire last took.</summary>
internal sealed class SilentHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
{
    public static readonly SilentHangfireLog Instance = new();
    public Hangfire.Logging.ILog GetLogger(string name) => this;
    public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
}
