using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Home;

public sealed class HomePageTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_leader_starts_from_the_dashboard_and_the_annual_report_and_sees_what_waits_in_english()
    {
        await using var ctx = BunitSetup.Create("en", s => s.AddData(db.ConnectionString), a => a.SetAuthorized("leader").SetRoles(Roles.Leadership)
            .SetClaims(new Claim(ClaimTypes.NameIdentifier, "1"), new Claim(AppClaims.DisplayName, "郑国华")));
        var page = ctx.Render<ServiceHub.App.Components.Pages.Home>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=home-tile-EmergenciesOpenAll]")));
        Assert.Contains("First-class emergencies awaiting arrival", page.Find("[data-testid=home-tile-EmergenciesOpenAll]").TextContent);
        Assert.Equal("/dashboard", page.Find("[data-testid=home-link-dashboard]").GetAttribute("href"));
        Assert.Equal("/reports/annual", page.Find("[data-testid=home-link-reports-annual]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=home-card-agent]"));
    }
}
