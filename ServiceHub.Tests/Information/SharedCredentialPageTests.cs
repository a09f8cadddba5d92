using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Admin;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Information;

/// <summary>The user admin shows a shared departmental credential to rotate after a leaver, until its password changes.</summary>
public sealed class SharedCredentialPageTests(DatabaseFixture db) : WorldTests<DataWorld>(db)
{
    private BunitContext Create(Actor who) => BunitSetup.Create("zh-CN", s => s.AddData(Db.ConnectionString, _s.Clock), a => a.SignedInAs(who));

    [Fact]
    public async Task After_a_leaver_the_shared_credential_shows_rotate_until_its_password_is_reset()
    {
        var users = _s.Get<UserRepository>();
        var n = Guid.NewGuid().ToString("N")[..5];
        var dept = await Build.DepartmentAsync(_s, $"S{n}");
        var leaver = await Build.UserAsync(_s, $"lv{n}", [Roles.Handler], dept);
        var colleague = await Build.UserAsync(_s, $"co{n}", [Roles.Handler], dept);
        var edit = new UserEdit { UserName = $"a{n}shared", DisplayName = "共用", Roles = [Roles.Handler], DepartmentId = dept, IsShared = true, NewPassword = "Shared2026a" };
        var shared = await users.SaveAsync(Actor.System, edit);
        var adminId = await Build.UserAsync(_s, $"a{n}admin", [Roles.Admin]);
        var admin = new Actor(adminId, $"a{n}admin", "管理员", [Roles.Admin], null);
        await _s.Get<OffboardingService>().OffboardAsync(admin, leaver, colleague);

        await using (var ctx = Create(admin))
        {
            var page = ctx.Render<Users>();
            page.WaitForAssertion(() => Assert.Contains("须更换密码", page.Find($"[data-testid=rotate-a{n}shared]").TextContent));
        }

        await users.SaveAsync(admin, edit with { Id = shared, NewPassword = "Rotated2026b" });
        await using (var ctx = Create(admin))
        {
            var page = ctx.Render<Users>();
            page.WaitForAssertion(() => Assert.Contains($"a{n}admin", page.Markup));
            Assert.Empty(page.FindAll($"[data-testid=rotate-a{n}shared]"));
        }
    }
}
