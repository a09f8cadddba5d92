using System.Net;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>Who may open the dashboard, checked on the server.</summary>
[Collection(AppCollection.Name)]
public sealed class DashboardAccessTests(AppFactory app)
{
    [Theory]
    [InlineData("leader")]
    [InlineData("supervisor")]
    [InlineData("pmmanager")]
    public async Task Leadership_the_cs_supervisor_and_department_managers_open_the_dashboard(string user)
    {
        var client = await app.SignedInClientAsync(user);
        var r = await client.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("服务指标看板", await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("agent", "/dashboard")]
    [InlineData("handler", "/dashboard")]
    [InlineData("hr", "/dashboard/drill?set=Complaints")]
    public async Task Other_roles_are_refused(string user, string path)
    {
        var client = await app.SignedInClientAsync(user);
        var r = await client.GetAsync(path);
        Assert.True(r.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{path}: {r.StatusCode}");
        if (r.StatusCode == HttpStatusCode.Redirect) Assert.StartsWith("/account/denied", r.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task A_department_manager_asking_for_another_department_is_refused_its_figures()
    {
        var eng = (await app.Get<DepartmentRepository>().ListAsync()).First(d => d.Code == "ENG").Id;
        var client = await app.SignedInClientAsync("pmmanager");
        var html = await (await client.GetAsync($"/dashboard?dept={eng}")).Content.ReadAsStringAsync();
        Assert.Contains("您只能查看本部门的指标", html);
        Assert.DoesNotContain("data-testid=\"kpi-complaints-value\"", html);
    }
}
