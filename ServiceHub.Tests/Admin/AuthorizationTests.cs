using System.Net;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

// Shares the collection's app: the accounts it deactivates (leaver, leaver2) are its own.
[Collection(AppCollection.Name)]
public sealed class AuthorizationTests(AppFactory app)
{
    [Theory]
    [InlineData("/admin/users")]
    [InlineData("/admin/departments")]
    [InlineData("/admin/projects")]
    [InlineData("/admin/audit")]
    [InlineData("/hangfire")]
    public async Task An_agent_cannot_open_an_admin_page(string path)
    {
        var client = await app.SignedInClientAsync("agent");
        var response = await client.GetAsync(path);
        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{path}: {response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.Redirect)
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task An_admin_opens_the_admin_pages()
    {
        var client = await app.SignedInClientAsync("admin");
        foreach (var path in new[] { "/admin/users", "/admin/departments", "/admin/projects", "/admin/audit", "/hangfire" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task An_agent_calling_an_admin_action_is_refused_and_nothing_is_written()
    {
        var agent = (await app.Get<UserRepository>().FindByUserNameAsync("agent"))!;
        var actor = new Actor(agent.Id, agent.UserName, agent.DisplayName, agent.Roles, agent.DepartmentId);
        await Assert.ThrowsAsync<ForbiddenException>(() => app.Get<UserRepository>().SaveAsync(actor,
            new UserEdit { UserName = "intruder", DisplayName = "x", Roles = [Roles.Admin], NewPassword = "Passw0rd!" }));
        await Assert.ThrowsAsync<ForbiddenException>(() => app.Get<DepartmentRepository>().SaveAsync(actor,
            new DepartmentEdit { Code = "X", Name = "x", NameEn = "x" }));
        await Assert.ThrowsAsync<ForbiddenException>(() => app.Get<UserRepository>().DeactivateAsync(actor, agent.Id));
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM users WHERE user_name = 'intruder'"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM departments WHERE code = 'X'"));
    }

    [Fact]
    public async Task A_deactivated_user_is_signed_out_at_the_next_request()
    {
        var admin = (await app.Get<UserRepository>().FindByUserNameAsync("admin"))!;
        var adminActor = new Actor(admin.Id, admin.UserName, admin.DisplayName, admin.Roles, admin.DepartmentId);
        var leaverId = await app.Get<UserRepository>().SaveAsync(adminActor,
            new UserEdit { UserName = "leaver", DisplayName = "离职者", Roles = [Roles.Agent], NewPassword = "Leaver2026" });
        var client = await app.SignedInClientAsync("leaver", "Leaver2026");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        await app.Get<UserRepository>().DeactivateAsync(adminActor, leaverId);

        var after = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/login", after.Headers.Location!.PathAndQuery);
        var (_, body) = await AppFactory.SignInAsync(client, "leaver", "Leaver2026");
        Assert.Contains("用户名或密码错误", body); // the same message as for a wrong password; "inactive" is in the audit log
    }

    [Fact]
    public async Task A_live_session_of_a_deactivated_user_fails_revalidation_within_a_minute()
    {
        Assert.True(app.Get<IOptions<AuthOptions>>().Value.RevalidationInterval <= TimeSpan.FromSeconds(60));
        var admin = (await app.Get<UserRepository>().FindByUserNameAsync("admin"))!;
        var adminActor = new Actor(admin.Id, admin.UserName, admin.DisplayName, admin.Roles, admin.DepartmentId);
        var id = await app.Get<UserRepository>().SaveAsync(adminActor,
            new UserEdit { UserName = "leaver2", DisplayName = "离职者2", Roles = [Roles.Handler], NewPassword = "Leaver2026" });
        var signIn = await app.Get<SignInService>().SignInAsync("leaver2", "Leaver2026", null);
        var principal = AppClaims.Principal(signIn.User!, signIn.SessionId);
        var provider = new RevalidatingAuthStateProvider(new Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory(),
            app.Get<SessionCheck>(), app.Get<IOptions<AuthOptions>>(), app.Get<Microsoft.Extensions.Hosting.IHostApplicationLifetime>());

        Assert.True(await provider.IsStillValidAsync(principal, default));
        await app.Get<UserRepository>().DeactivateAsync(adminActor, id);
        Assert.False(await provider.IsStillValidAsync(principal, default));
    }
}
