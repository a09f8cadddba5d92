using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Operations;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>Demo accounts never reach a database that is not a demo; the first administrator comes from the command line.</summary>
public sealed class InstallationTests
{
    private static async Task<T> WithDatabaseAsync<T>(string label, Func<TestServices, string, Task<T>> test)
    {
        var cs = await TestServer.CreateDatabaseAsync(label);
        try
        {
            await using var s = new TestServices(cs);
            return await test(s, cs);
        }
        finally
        {
            await TestServer.DropDatabaseAsync(cs);
        }
    }

    [Fact]
    public Task Seeding_the_demo_marks_the_database_a_demo_and_a_second_seeding_does_nothing() => WithDatabaseAsync("demo", async (s, cs) =>
    {
        Assert.False(await new Installation(s.Get<NpgsqlDataSource>(), s.Get<AuditLog>(), s.Clock).IsDemoAsync());
        Assert.True(await s.Demo().SeedAsync());
        Assert.True(await new Installation(s.Get<NpgsqlDataSource>(), s.Get<AuditLog>(), s.Clock).IsDemoAsync());
        Assert.False(await s.Demo().SeedAsync());
        return 0;
    });

    [Fact]
    public Task Demo_seeding_is_refused_where_real_accounts_exist_and_adds_nothing() => WithDatabaseAsync("realdb", async (s, cs) =>
    {
        await s.Get<Installation>().CreateAdministratorAsync(Actor.System, "root", "管理员", "FirstPassw0rd");
        await Assert.ThrowsAsync<Installation.DemoRefusedException>(() => s.Demo().SeedAsync());
        var ex = await Assert.ThrowsAsync<DatabaseStartup.StartupException>(() => Installation.CheckDemoSeedingAsync(cs, seedDemo: true));
        Assert.Contains("not seeded as a demo", ex.Message);
        await Installation.CheckDemoSeedingAsync(cs, seedDemo: false);

        await using var conn = new NpgsqlConnection(cs);
        Assert.Equal(["root"], await conn.QueryAsync<string>("SELECT user_name FROM users"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM departments"));
        Assert.False(await s.Get<Installation>().IsDemoAsync());
        return 0;
    });

    [Fact]
    public Task The_command_line_administrator_must_change_the_password_and_is_audited() => WithDatabaseAsync("firstadmin", async (s, cs) =>
    {
        var id = await s.Get<Installation>().CreateAdministratorAsync(Actor.System, "it.admin", "", "FirstPassw0rd");
        var user = (await s.Get<UserRepository>().GetAsync(id))!;
        Assert.Equal([Roles.Admin], user.Roles);
        Assert.True(user.MustChangePassword);
        Assert.True(UserRepository.VerifyPassword(user.PasswordHash, "FirstPassw0rd"));

        var actor = new Actor(id, user.UserName, user.DisplayName, user.Roles, null);
        await s.Get<UserRepository>().ChangePasswordAsync(actor, "FirstPassw0rd", "MyOwnPassw0rd");
        Assert.False((await s.Get<UserRepository>().GetAsync(id))!.MustChangePassword);

        await using var conn = new NpgsqlConnection(cs);
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM audit_log WHERE action = 'create' AND entity_id = @id AND details LIKE '%command line%'", new { id = id.ToString() }));
        return 0;
    });

    [Theory]
    [InlineData("root", "short1", "Password.TooWeak")]
    [InlineData("has space", "FirstPassw0rd", "Operations.AdminNameInvalid")]
    [InlineData("", "FirstPassw0rd", "Operations.AdminNameInvalid")]
    public Task A_bad_name_or_weak_password_creates_nothing(string name, string password, string code) => WithDatabaseAsync("badadmin", async (s, cs) =>
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => s.Get<Installation>().CreateAdministratorAsync(Actor.System, name, "", password));
        Assert.Equal(code, ex.Code);
        await using var conn = new NpgsqlConnection(cs);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM users"));
        return 0;
    });

    [Fact]
    public void A_generated_password_passes_the_policy_and_differs_each_time()
    {
        var a = GeneratedPassword.New();
        Assert.True(PasswordPolicy.IsStrongEnough(a));
        Assert.Equal(16, a.Length);
        Assert.NotEqual(a, GeneratedPassword.New());
    }
}
