using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

public sealed class MasterDataTests(DatabaseFixture db) : WorldTests<DataWorld>(db)
{
    [Fact]
    public async Task A_department_keeps_its_manager_return_visit_lead_and_supervising_vp_and_the_change_is_audited()
    {
        var manager = await Build.UserAsync(_s, "m1", [Roles.DeptManager]);
        var lead = await Build.UserAsync(_s, "r1", [Roles.ReturnVisit]);
        var vp = await Build.UserAsync(_s, "v1", [Roles.Leadership]);
        var id = await Build.DepartmentAsync(_s, "D1", manager, vp, lead);
        var d = (await _s.Get<DepartmentRepository>().GetAsync(id))!;
        Assert.Equal(("m1", "r1", "v1"), (d.ManagerName, d.ReturnVisitLeadName, d.SupervisingVpName));
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE entity = 'department' AND entity_id = @id", new { id = id.ToString() }));
    }

    [Fact]
    public async Task A_duplicate_department_code_is_refused_with_its_own_message()
    {
        await Build.DepartmentAsync(_s, "DUP");
        var ex = await Assert.ThrowsAsync<DomainException>(() => Build.DepartmentAsync(_s, "DUP"));
        Assert.Equal("Department.CodeTaken", ex.Code);
    }

    [Fact]
    public async Task A_building_is_added_with_its_units_in_one_transaction()
    {
        var (projectId, _) = await Build.ProjectWithUnitAsync(_s, "P1");
        var b = await _s.Get<ProjectRepository>().AddBuildingAsync(Actor.System, projectId, "2号楼", ["101", "102", "201"]);
        Assert.Equal(["101", "102", "201"], (await _s.Get<ProjectRepository>().UnitsAsync(b)).Select(u => u.Number));
        var ex = await Assert.ThrowsAsync<DomainException>(() => _s.Get<ProjectRepository>().AddBuildingAsync(Actor.System, projectId, "2号楼", ["999"]));
        Assert.Equal("Building.NameTaken", ex.Code);
        Assert.Equal(2, (await _s.Get<ProjectRepository>().BuildingsAsync(projectId)).Count);
    }

    [Fact]
    public async Task Admin_forms_saved_empty_are_refused_field_by_field_and_write_nothing()
    {
        var (projectId, _) = await Build.ProjectWithUnitAsync(_s, "P9");
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        const string Rows = "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM projects) + (SELECT count(*) FROM departments) + (SELECT count(*) FROM buildings)";
        var before = await conn.ExecuteScalarAsync<long>(Rows);
        static IEnumerable<string> Fields(ValidationFailedException ex) => ex.Errors.Select(e => $"{e.Key}:{e.Value.Code}").Order();

        var user = await Assert.ThrowsAsync<ValidationFailedException>(() => _s.Get<UserRepository>().SaveAsync(Actor.System, new UserEdit { UserName = " ", DisplayName = "" }));
        Assert.Equal(["DisplayName:Validation.Required", "NewPassword:User.PasswordRequired", "Roles:User.RolesRequired", "UserName:Validation.Required"], Fields(user));
        var project = await Assert.ThrowsAsync<ValidationFailedException>(() => _s.Get<ProjectRepository>().SaveAsync(Actor.System, new ProjectEdit { Code = "", Name = " " }));
        Assert.Equal(["Code:Validation.Required", "Name:Validation.Required"], Fields(project));
        var department = await Assert.ThrowsAsync<ValidationFailedException>(() => _s.Get<DepartmentRepository>().SaveAsync(Actor.System, new DepartmentEdit()));
        Assert.Equal(["Code:Validation.Required", "Name:Validation.Required", "NameEn:Validation.Required"], Fields(department));
        var building = await Assert.ThrowsAsync<ValidationFailedException>(() => _s.Get<ProjectRepository>().AddBuildingAsync(Actor.System, projectId, " ", ["101"]));
        Assert.Equal(["Name:Validation.Required"], Fields(building));

        Assert.Equal(before, await conn.ExecuteScalarAsync<long>(Rows));
    }

    [Fact]
    public async Task User_validation_refuses_weak_passwords_unknown_roles_and_taken_names()
    {
        var users = _s.Get<UserRepository>();
        Assert.Equal("Password.TooWeak", (await Assert.ThrowsAsync<ValidationFailedException>(() =>
            users.SaveAsync(Actor.System, new UserEdit { UserName = "weak", DisplayName = "w", Roles = [Roles.Agent], NewPassword = "short" }))).Errors["NewPassword"].Code);
        Assert.Equal("User.UnknownRole", (await Assert.ThrowsAsync<ValidationFailedException>(() =>
            users.SaveAsync(Actor.System, new UserEdit { UserName = "r", DisplayName = "r", Roles = ["boss"], NewPassword = "Passw0rd!" }))).Errors["Roles"].Code);
        await Build.UserAsync(_s, "taken", [Roles.Agent]);
        Assert.Equal("User.NameTaken", (await Assert.ThrowsAsync<DomainException>(() =>
            users.SaveAsync(Actor.System, new UserEdit { UserName = "TAKEN", DisplayName = "t", Roles = [Roles.Agent], NewPassword = "Passw0rd!" }))).Code);
    }

    [Fact]
    public async Task Changing_the_password_needs_the_current_one_and_ends_other_sessions()
    {
        var id = await Build.UserAsync(_s, "pw", [Roles.Agent], password: "OldPassw0rd");
        var users = _s.Get<UserRepository>();
        var before = (await users.GetAsync(id))!;
        var clock = _s.Get<TimeProvider>();
        var session = await _s.Get<SessionRepository>().StartAsync(id, null, clock.GetUtcNow());
        var me = new Actor(id, "pw", "pw", [Roles.Agent], null);
        Assert.Equal("Password.CurrentWrong", (await Assert.ThrowsAsync<DomainException>(() => users.ChangePasswordAsync(me, "nope", "NewPassw0rd"))).Code);
        await users.ChangePasswordAsync(me, "OldPassw0rd", "NewPassw0rd");
        var after = (await users.GetAsync(id))!;
        Assert.True(UserRepository.VerifyPassword(after.PasswordHash, "NewPassw0rd"));
        Assert.False(await _s.Get<SessionRepository>().IsValidAsync(id, before.SecurityStamp, session, clock.GetUtcNow(), TimeSpan.FromHours(12)));
    }

    [Fact]
    public async Task The_demo_company_is_seeded_once_with_every_role_and_about_200_customers()
    {
        var cs = await TestServer.CreateDatabaseAsync("seed");
        try
        {
            await using var s = new TestServices(cs);
            var seeder = s.Demo();
            Assert.True(await seeder.SeedAsync());
            Assert.False(await seeder.SeedAsync());
            await using var conn = new NpgsqlConnection(cs);
            var roles = (await conn.QueryAsync<string>("SELECT DISTINCT unnest(roles) FROM users")).ToHashSet();
            foreach (var r in Roles.All) Assert.Contains(r, roles);
            Assert.Equal(200, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM customers"));
            Assert.Equal(3, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM projects"));
            foreach (var name in new[] { "客户服务部", "企业发展部", "企业管理部", "人力资源部", "物业公司", "工程部" })
                Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM departments WHERE name = @name", new { name }));
        }
        finally
        {
            await TestServer.DropDatabaseAsync(cs);
        }
    }
}
