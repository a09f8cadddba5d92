using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Layout;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

public sealed class LayoutTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    /// <summary>The access map's policies the role holds (bUnit's stand-in authorisation grants exactly these).</summary>
    private static string[] PoliciesOf(string role) => [.. Access.ByPolicy.Where(p => p.Value.Contains(role)).Select(p => p.Key)];

    [Fact]
    public async Task The_navigation_shows_administration_to_an_admin()
    {
        await using var ctx = BunitSetup.Create(auth: a => a.SetAuthorized("admin").SetRoles(Roles.Admin).SetPolicies(PoliciesOf(Roles.Admin)));
        var nav = ctx.Render<NavMenu>();
        Assert.Contains("系统管理", nav.Markup);
        Assert.Contains("/admin/users", nav.Markup);
    }

    [Fact]
    public async Task The_navigation_hides_administration_from_an_agent()
    {
        await using var ctx = BunitSetup.Create(auth: a => a.SetAuthorized("agent").SetRoles(Roles.Agent).SetPolicies(PoliciesOf(Roles.Agent)));
        var nav = ctx.Render<NavMenu>();
        Assert.DoesNotContain("/admin/users", nav.Markup);
        Assert.Contains("/customers", nav.Markup);
    }

    [Fact]
    public async Task The_layout_shows_the_signed_in_user_and_the_language_switch_in_english()
    {
        await using var ctx = BunitSetup.Create("en", s => s.AddData(db.ConnectionString).AddSingleton<ServiceHub.App.Infrastructure.NotificationFeed>(),
            a => a.SetAuthorized("agent").SetRoles(Roles.Agent).SetClaims(
                new System.Security.Claims.Claim(ServiceHub.App.Infrastructure.AppClaims.DisplayName, "王丽"),
                new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "1")));
        var layout = ctx.Render<MainLayout>(p => p.Add(l => l.Body, b => b.AddContent(0, "page body")));
        Assert.Contains("王丽", layout.Markup);
        Assert.Contains("ServiceHub Customer Service", layout.Markup);
        Assert.Contains("page body", layout.Markup);
        Assert.NotNull(layout.Find("[data-testid=language-menu]"));
    }
}
