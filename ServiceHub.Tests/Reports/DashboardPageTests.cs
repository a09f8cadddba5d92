using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceHub.App.Components.Pages.Dashboard;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>The dashboard page over the hand-checked data set of <see cref="KpiFixture"/> (November 2026).</summary>
public sealed class DashboardPageTests(KpiFixture f) : IClassFixture<KpiFixture>
{
    private BunitContext Context(Actor who) => BunitSetup.Create(services: s =>
    {
        s.AddSingleton(f.Kpi);
        s.AddSingleton(f.S.Get<DepartmentRepository>());
        s.AddSingleton(f.S.Get<IOptions<KpiOptions>>());
        s.AddSingleton<TimeProvider>(f.S.Clock);
        s.AddScoped<CurrentUser>();
    }, auth: a => a.SignedInAs(who));

    [Fact]
    public async Task Leadership_sees_this_month_against_target_in_green_and_red_with_each_figure_linking_to_its_records()
    {
        await using var ctx = Context(f.Leader);
        var cut = ctx.Render<DashboardPage>();
        cut.WaitForAssertion(() => Assert.Equal("80.0%", cut.Find("[data-testid=kpi-consultation-value]").TextContent.Trim()), TimeSpan.FromSeconds(20));
        Assert.Contains("未达标", cut.Find("[data-testid=kpi-consultation-status]").TextContent); // 80% < 90%
        Assert.Equal("50.0%", cut.Find("[data-testid=kpi-reply-value]").TextContent.Trim());
        Assert.Equal("33.3%", cut.Find("[data-testid=kpi-emergencies-value]").TextContent.Trim());
        Assert.Equal("5", cut.Find("[data-testid=kpi-complaints-value]").TextContent.Trim());
        Assert.Equal("1", cut.Find("[data-testid=kpi-repeat-value]").TextContent.Trim());
        Assert.Equal("/dashboard/drill?month=2026-11&set=ReplyLate", cut.Find("[data-testid=kpi-reply-late]").GetAttribute("href"));
        Assert.Contains("超时 2", cut.Find("[data-testid=kpi-reply-late]").TextContent);
        // The breakdown rows open their complaints; the root cause bar of 渗漏 holds C1 and C3.
        var leak = cut.Find($"[data-testid=bar-RootCause-{f.LeakId}]");
        Assert.Equal($"/dashboard/drill?month=2026-11&set=Complaints&by=RootCause&key={f.LeakId}&label=%E6%B8%97%E6%BC%8F", leak.GetAttribute("href"));
        Assert.NotNull(cut.Find("[data-testid=trend-2026-10]"));
    }

    [Fact]
    public async Task A_target_that_is_met_is_green()
    {
        var options = f.S.Get<IOptions<KpiOptions>>().Value;
        var before = options.ConsultationSatisfactionTarget;
        options.ConsultationSatisfactionTarget = 75m;
        try
        {
            await using var ctx = Context(f.Leader);
            var cut = ctx.Render<DashboardPage>();
            cut.WaitForAssertion(() => Assert.Contains("达标", cut.Find("[data-testid=kpi-consultation-status]").TextContent), TimeSpan.FromSeconds(20));
            Assert.DoesNotContain("未达标", cut.Find("[data-testid=kpi-consultation-status]").TextContent);
        }
        finally { options.ConsultationSatisfactionTarget = before; }
    }

    [Fact]
    public async Task A_department_manager_sees_their_department_only_and_is_refused_another()
    {
        await using var ctx = Context(f.W.Manager);
        var cut = ctx.Render<DashboardPage>();
        cut.WaitForAssertion(() => Assert.Equal("4", cut.Find("[data-testid=kpi-complaints-value]").TextContent.Trim()), TimeSpan.FromSeconds(20));
        Assert.Equal("100.0%", cut.Find("[data-testid=kpi-consultation-value]").TextContent.Trim()); // the consultation handed over to it
        Assert.Empty(cut.FindAll("[data-testid=dashboard-department]"));

        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/dashboard?month=2026-11&dept={f.W.OtherDepartmentId}");
        var other = ctx.Render<DashboardPage>();
        other.WaitForAssertion(() => Assert.NotNull(other.Find("[data-testid=dashboard-forbidden]")), TimeSpan.FromSeconds(20));
        Assert.Empty(other.FindAll("[data-testid=kpi-complaints-value]"));
    }

    [Fact]
    public async Task The_drill_down_page_lists_the_complaints_behind_the_figure()
    {
        await using var ctx = Context(f.Leader);
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/dashboard/drill?month=2026-11&set=ReplyLate");
        var cut = ctx.Render<DrillPage>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=drill-row]").Count), TimeSpan.FromSeconds(20));
        Assert.Contains("共 2 条", cut.Find("[data-testid=drill-total]").TextContent);
        var hrefs = cut.FindAll("[data-testid=drill-row]").Select(a => a.GetAttribute("href")).Order().ToArray();
        Assert.Equal(new[] { f.Ids["C2"], f.Ids["C4"] }.Select(id => $"/complaints/{id}").Order().ToArray(), hrefs);
    }
}
