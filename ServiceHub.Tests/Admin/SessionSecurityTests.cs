using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

/// <summary>Issue #12, points 7–10: what a sign-in tells, how long a session lives, what ends it, where it may lead.</summary>
public sealed partial class SessionSecurityTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Secure2026a";

    private async Task<int> UserAsync(string userName, int? departmentId = null, bool shared = false, string[]? roles = null) =>
        await app.Get<UserRepository>().SaveAsync(Actor.System, new UserEdit
        {
            UserName = userName, DisplayName = userName, Roles = [.. roles ?? [Roles.Agent]], DepartmentId = departmentId, IsShared = shared, NewPassword = Password,
        });

    private async Task<int[]> DepartmentIdsAsync()
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        return (await conn.QueryAsync<int>("SELECT id FROM departments ORDER BY id LIMIT 2")).ToArray();
    }

    private async Task<string?> LastSignInFailureAsync(string userName)
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        return await conn.ExecuteScalarAsync<string?>(
            "SELECT details FROM audit_log WHERE action = 'sign-in-failed' AND user_name = @userName ORDER BY id DESC LIMIT 1", new { userName });
    }

    /// <summary>A client that keeps its cookies in <paramref name="jar"/> and does not follow redirects.</summary>
    private HttpClient Client(out System.Net.CookieContainer jar)
    {
        var handler = new CookieContainerHandler();
        jar = handler.Container;
        return app.CreateDefaultClient(app.ClientOptions.BaseAddress, handler);
    }

    private async Task<HttpClient> SignedInAsync(string userName, string password = Password)
    {
        var client = Client(out _);
        var response = await AppFactory.PostSignInAsync(client, userName, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static async Task<string?> RedirectOfAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return response.StatusCode == HttpStatusCode.Redirect ? PathOf(response.Headers.Location!) : null;
    }

    /// <summary>The cookie middleware redirects to an absolute sign-in URL, the pages to a path.</summary>
    private static string PathOf(Uri location) => location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    [GeneratedRegex("data-testid=\"login-error\">([^<]*)<")]
    private static partial Regex LoginError();

    private async Task<string> RefusalAsync(string userName, string password)
    {
        var (status, body) = await AppFactory.SignInAsync(app.CreateClient(new() { AllowAutoRedirect = false }), userName, password);
        Assert.Equal(HttpStatusCode.OK, status);
        return LoginError().Match(body).Groups[1].Value;
    }

    [Fact]
    public async Task Unknown_wrong_locked_and_disabled_accounts_get_the_same_message_and_the_reason_is_audited()
    {
        await UserAsync("same-locked");
        var disabled = await UserAsync("same-disabled");
        await app.Get<UserRepository>().DeactivateAsync(Actor.System, disabled);
        for (var i = 0; i < Lockout.MaxFailedAttempts; i++) await RefusalAsync("same-locked", "wrong-" + i);

        var unknown = await RefusalAsync("same-nobody", Password);
        var wrong = await RefusalAsync("agent2", "wrong-password-1");
        var locked = await RefusalAsync("same-locked", Password);
        var inactive = await RefusalAsync("same-disabled", Password);

        Assert.Contains("用户名或密码错误", unknown);
        Assert.Equal([unknown, unknown, unknown], new[] { wrong, locked, inactive });
        Assert.Equal("unknown user", await LastSignInFailureAsync("same-nobody"));
        Assert.Equal("wrong password", await LastSignInFailureAsync("agent2"));
        Assert.Equal("locked out", await LastSignInFailureAsync("same-locked"));
        Assert.Equal("inactive", await LastSignInFailureAsync("same-disabled"));
    }

    [Fact]
    public async Task Over_long_sign_in_input_is_refused_at_the_field_and_never_reaches_the_audit_log_whole()
    {
        var longName = new string('a', 100_000);
        var (status, body) = await AppFactory.SignInAsync(app.CreateClient(new() { AllowAutoRedirect = false }), longName, Password);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"不能超过 {UserRepository.UserNameMax} 个字", body);
        var (_, passwordBody) = await AppFactory.SignInAsync(app.CreateClient(new() { AllowAutoRedirect = false }), "agent", new string('p', PasswordPolicy.MaxLength + 1));
        Assert.Contains($"不能超过 {PasswordPolicy.MaxLength} 个字", passwordBody);

        // Past the page (a client that skips it): refused as no account, the audit keeps at most the column's length.
        var result = await app.Get<SignInService>().SignInAsync(longName, Password, "127.0.0.1");
        Assert.Equal(SignInOutcome.Invalid, result.Outcome);
        // An over-long password with no user name at all: refused the same way.
        Assert.Equal(SignInOutcome.Invalid, (await app.Get<SignInService>().SignInAsync(null!, new string('p', PasswordPolicy.MaxLength + 1), "127.0.0.1")).Outcome);
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        Assert.Equal("input too long", await LastSignInFailureAsync(longName[..UserRepository.UserNameMax]));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE char_length(user_name) > @max", new { max = UserRepository.UserNameMax }));
    }

    [Fact]
    public async Task An_unknown_user_costs_a_password_hash_like_a_known_one()
    {
        var signIn = app.Get<SignInService>();
        await UserAsync("same-timing");
        await signIn.SignInAsync("same-timing", "wrong-password", null); // warm up
        async Task<double> MedianMsAsync(string userName)
        {
            var times = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var watch = Stopwatch.StartNew();
                await signIn.SignInAsync(userName, "wrong-password", null);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            return times.Order().ElementAt(2);
        }
        var known = await MedianMsAsync("same-timing");
        var unknown = await MedianMsAsync("nobody-by-this-name");
        // Without the dummy hash an unknown name answers in a database round trip, some fifty times faster than a hash.
        Assert.True(unknown > known * 0.3, $"unknown {unknown:0.0} ms, known {known:0.0} ms");
    }

    [Fact]
    public async Task Wrong_current_passwords_on_the_change_form_lock_the_account_like_wrong_sign_ins()
    {
        var id = await UserAsync("change-guesser");
        var me = new Actor(id, "change-guesser", "change-guesser", [Roles.Agent], null);
        var users = app.Get<UserRepository>();
        for (var i = 0; i < Lockout.MaxFailedAttempts - 1; i++)
            Assert.Equal("Password.CurrentWrong", (await Assert.ThrowsAsync<DomainException>(() => users.ChangePasswordAsync(me, "guess-" + i, "NewSecure2026"))).Code);
        Assert.Equal("Account.LockedOut", (await Assert.ThrowsAsync<DomainException>(() => users.ChangePasswordAsync(me, "guess-last", "NewSecure2026"))).Code);

        // Locked: neither the right current password on the form nor the right password at sign-in gets through.
        Assert.Equal("Account.LockedOut", (await Assert.ThrowsAsync<DomainException>(() => users.ChangePasswordAsync(me, Password, "NewSecure2026"))).Code);
        Assert.Equal(SignInOutcome.LockedOut, (await app.Get<SignInService>().SignInAsync("change-guesser", Password, null)).Outcome);
    }

    [Fact]
    public async Task A_copied_cookie_replayed_after_sign_out_is_refused_and_other_sessions_of_the_account_go_on()
    {
        await UserAsync("replay");
        var browser = Client(out var jar);
        Assert.Equal(HttpStatusCode.Redirect, (await AppFactory.PostSignInAsync(browser, "replay", Password)).StatusCode);
        var stolen = jar.GetCookies(app.ClientOptions.BaseAddress)["servicehub.auth"]!.Value;
        var thief = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        thief.DefaultRequestHeaders.Add("Cookie", $"servicehub.auth={stolen}");
        var otherDesk = await SignedInAsync("replay");
        Assert.Null(await RedirectOfAsync(thief, "/"));

        Assert.Equal(HttpStatusCode.Redirect, (await AppFactory.SignOutAsync(browser)).StatusCode);

        Assert.StartsWith("/account/login", await RedirectOfAsync(thief, "/"));
        Assert.Null(await RedirectOfAsync(otherDesk, "/"));
    }

    [Fact]
    public async Task A_department_change_ends_the_persons_sessions()
    {
        var departments = await DepartmentIdsAsync();
        var id = await UserAsync("mover", departments[0]);
        var client = await SignedInAsync("mover");
        Assert.Null(await RedirectOfAsync(client, "/"));

        await app.Get<UserRepository>().SaveAsync(Actor.System, new UserEdit
        {
            Id = id, UserName = "mover", DisplayName = "mover", Roles = [Roles.Agent], DepartmentId = departments[1],
        });

        Assert.StartsWith("/account/login", await RedirectOfAsync(client, "/"));
        Assert.Equal(departments[1], (await app.Get<SignInService>().SignInAsync("mover", Password, null)).User!.DepartmentId);
    }

    [Fact]
    public async Task A_change_of_roles_ends_the_persons_sessions_and_the_next_sign_in_carries_the_new_roles()
    {
        var id = await UserAsync("role-mover");
        var client = await SignedInAsync("role-mover");
        Assert.Null(await RedirectOfAsync(client, "/"));

        await app.Get<UserRepository>().SaveAsync(Actor.System, new UserEdit
        {
            Id = id, UserName = "role-mover", DisplayName = "role-mover", Roles = [Roles.Hr],
        });

        Assert.StartsWith("/account/login", await RedirectOfAsync(client, "/"));
        Assert.Equal([Roles.Hr], (await app.Get<SignInService>().SignInAsync("role-mover", Password, null)).User!.Roles);
    }

    [Fact]
    public async Task A_session_ends_at_its_absolute_lifetime_however_active()
    {
        var lifetime = app.Get<IOptions<AuthOptions>>().Value.AbsoluteSessionLifetime;
        Assert.Equal(TimeSpan.FromHours(12), lifetime);
        await UserAsync("busy");
        var client = await SignedInAsync("busy");

        app.Clock.Advance(lifetime / 2);
        Assert.Null(await RedirectOfAsync(client, "/"));
        app.Clock.Advance(lifetime / 2 - TimeSpan.FromMinutes(1));
        Assert.Null(await RedirectOfAsync(client, "/"));
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.StartsWith("/account/login", await RedirectOfAsync(client, "/"));
    }

    [Fact]
    public async Task A_live_circuit_of_a_signed_out_session_loses_its_user_at_the_next_revalidation()
    {
        Assert.True(app.Get<IOptions<AuthOptions>>().Value.RevalidationInterval <= TimeSpan.FromSeconds(60));
        await UserAsync("circuit");
        var signIn = await app.Get<SignInService>().SignInAsync("circuit", Password, null);
        var principal = AppClaims.Principal(signIn.User!, signIn.SessionId);
        // The provider of a live circuit, revalidating every 100 ms instead of every 30 s.
        var provider = new RevalidatingAuthStateProvider(NullLoggerFactory.Instance, app.Get<SessionCheck>(),
            Options.Create(new AuthOptions { RevalidationInterval = TimeSpan.FromMilliseconds(100) }), app.Get<IHostApplicationLifetime>());
        try
        {
            provider.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
            var changed = new TaskCompletionSource<AuthenticationState>(TaskCreationOptions.RunContinuationsAsynchronously);
            provider.AuthenticationStateChanged += async state => changed.TrySetResult(await state);

            await app.Get<SessionRepository>().EndAsync(signIn.SessionId, app.Clock.GetUtcNow()); // signed out elsewhere

            var after = await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(after.User.Identity?.IsAuthenticated);
        }
        finally
        {
            ((IDisposable)provider).Dispose();
        }
    }

    [Fact]
    public async Task A_live_circuit_keeps_its_user_while_the_app_stops_and_its_database_pool_is_already_gone()
    {
        await UserAsync("stopping");
        var signIn = await app.Get<SignInService>().SignInAsync("stopping", Password, null);
        var principal = AppClaims.Principal(signIn.User!, signIn.SessionId);
        // The host disposes the data source while circuits still revalidate: the check reaches a disposed pool.
        var disposed = NpgsqlDataSource.Create(app.ConnectionString);
        await disposed.DisposeAsync();
        var check = new SessionCheck(new SessionRepository(disposed), app.Clock, app.Get<IOptions<AuthOptions>>());
        var lifetime = new StoppingLifetime();

        var running = new RevalidatingAuthStateProvider(NullLoggerFactory.Instance, check, app.Get<IOptions<AuthOptions>>(), lifetime);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => running.IsStillValidAsync(principal, default)); // a real fault while running

        lifetime.Stop();
        Assert.True(await running.IsStillValidAsync(principal, default)); // stopping: no error, the circuit goes with the app
    }

    private sealed class StoppingLifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource stopping = new();
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void Stop() => stopping.Cancel();
        public void StopApplication() => stopping.Cancel();
    }

    [Fact]
    public async Task A_live_circuit_past_the_absolute_lifetime_fails_revalidation()
    {
        await UserAsync("circuit-expiry");
        var signIn = await app.Get<SignInService>().SignInAsync("circuit-expiry", Password, null);
        var principal = AppClaims.Principal(signIn.User!, signIn.SessionId);
        var check = app.Get<SessionCheck>();
        Assert.True(await check.IsValidAsync(principal, default));
        app.Clock.Advance(app.Get<IOptions<AuthOptions>>().Value.AbsoluteSessionLifetime + TimeSpan.FromSeconds(1));
        Assert.False(await check.IsValidAsync(principal, default));
    }

    [Theory]
    [InlineData("%2F%5Cevil.example")]   // /\evil.example: a browser goes to evil.example
    [InlineData("%2F%2Fevil.example")]   // //evil.example
    [InlineData("https%3A%2F%2Fevil.example%2F")]
    [InlineData("%2F%09%2Fevil.example")] // a tab between the slashes
    public async Task A_return_url_to_another_site_lands_on_the_home_page(string returnUrl)
    {
        var client = Client(out _);
        var response = await AppFactory.PostSignInAsync(client, "agent", DemoSeeder.DemoPassword, $"/account/login?ReturnUrl={returnUrl}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);

        var culture = await client.GetAsync($"/culture/set?culture=en&redirectUri={returnUrl}");
        Assert.Equal("/", culture.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_local_return_url_is_kept()
    {
        var response = await AppFactory.PostSignInAsync(Client(out _), "agent", DemoSeeder.DemoPassword, "/account/login?ReturnUrl=%2Fcomplaints%3Fstate%3Dopen");
        Assert.Equal("/complaints?state=open", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_shared_account_flagged_for_rotation_can_do_nothing_but_change_its_password()
    {
        var dept = (await DepartmentIdsAsync())[0];
        var shared = await UserAsync("desk-shared", dept, shared: true);
        var leaver = await UserAsync("desk-leaver", dept);
        var colleague = await UserAsync("desk-colleague", dept);
        var before = await SignedInAsync("desk-shared");

        await app.Get<OffboardingService>().OffboardAsync(Actor.System, leaver, colleague);

        // The leaver knew the password: a session opened before is over.
        Assert.StartsWith("/account/login", await RedirectOfAsync(before, "/"));
        // Signing in leads to the change-password page, whatever was asked for, and nothing else opens.
        var client = Client(out _);
        var signIn = await AppFactory.PostSignInAsync(client, "desk-shared", Password, "/account/login?ReturnUrl=%2Fcomplaints");
        Assert.Equal("/account/password", signIn.Headers.Location!.OriginalString);
        foreach (var path in new[] { "/", "/complaints", "/intake", "/penalties/export?period=2026-01" })
            Assert.Equal("/account/password", await RedirectOfAsync(client, path));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/hubs/alerts/negotiate?negotiateVersion=1", null)).StatusCode);
        var page = await client.GetAsync("/account/password");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("须先修改密码", await page.Content.ReadAsStringAsync());

        // The new password (what the page saves) ends the rotation: the next sign-in is an ordinary one.
        var account = (await app.Get<UserRepository>().GetAsync(shared))!;
        await app.Get<UserRepository>().ChangePasswordAsync(new Actor(shared, account.UserName, account.DisplayName, account.Roles, account.DepartmentId), Password, "Rotated2026b");
        var after = await AppFactory.PostSignInAsync(Client(out _), "desk-shared", "Rotated2026b");
        Assert.Equal("/", after.Headers.Location!.OriginalString);
    }
}
