using System.Net;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

// Shares the collection's app: it locks returnvisit2, whom no other test signs in as, and moves the clock by the 15-minute lock-out.
[Collection(AppCollection.Name)]
public sealed class SignInTests(AppFactory app)
{
    [Fact]
    public async Task A_demo_agent_signs_in_and_lands_on_home()
    {
        var client = await app.SignedInClientAsync("agent");
        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("王丽", await home.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_anonymous_visitor_is_sent_to_sign_in()
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var response = await client.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_audited()
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var (status, body) = await AppFactory.SignInAsync(client, "agent2", "wrong-password-1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("用户名或密码错误", body);
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        var failures = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE action = 'sign-in-failed' AND user_name = 'agent2'");
        Assert.True(failures >= 1);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        for (var i = 0; i < SignInService.MaxFailedAttempts; i++)
            await AppFactory.SignInAsync(client, "returnvisit2", "wrong-password-" + i);
        var (status, body) = await AppFactory.SignInAsync(client, "returnvisit2", DemoSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("用户名或密码错误", body); // the screen says what it says for a wrong password; the audit log says why
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
            Assert.Equal("locked out", await conn.ExecuteScalarAsync<string>(
                "SELECT details FROM audit_log WHERE action = 'sign-in-failed' AND user_name = 'returnvisit2' ORDER BY id DESC LIMIT 1"));

        // After the lock-out period the right password works again.
        app.Clock.Advance(SignInService.LockoutDuration + TimeSpan.FromSeconds(1));
        (status, _) = await AppFactory.SignInAsync(client, "returnvisit2", DemoSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, status);
    }

    [Fact]
    public async Task Empty_fields_get_a_message_at_the_field()
    {
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var (status, body) = await AppFactory.SignInAsync(client, "", "");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(body, "此项必填").Count);
    }

    [Fact]
    public async Task Health_reports_healthy_when_the_database_answers()
    {
        var response = await app.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"healthy"}""", await response.Content.ReadAsStringAsync());
    }
}
