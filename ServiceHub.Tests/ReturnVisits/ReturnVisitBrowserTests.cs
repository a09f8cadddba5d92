using Dapper;
using Microsoft.Playwright;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

public sealed class ReturnVisitBrowserTests(BrowserAppFactory app, BrowserFixture browser)
    : IClassFixture<BrowserAppFactory>, IClassFixture<BrowserFixture>
{
    private async Task<Actor> DemoActorAsync(NpgsqlConnection conn, string userName)
    {
        var (id, name, roles, dept) = await conn.QuerySingleAsync<(int, string, string[], int?)>(
            "SELECT id, display_name, roles, department_id FROM users WHERE user_name = @userName", new { userName });
        return new Actor(id, userName, name, roles, dept);
    }

    /// <summary>A classified complaint of the demo company, handled by the property company, its return visit assigned to 'returnvisit'.</summary>
    private async Task<(long ComplaintId, long TaskId)> HandledComplaintAsync()
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        var agent = await DemoActorAsync(conn, "agent");
        var handler = await DemoActorAsync(conn, "handler");
        var visitor = await DemoActorAsync(conn, "returnvisit");
        var (customer, pm) = await conn.QuerySingleAsync<(int, int)>("SELECT (SELECT min(id) FROM customers), (SELECT id FROM departments WHERE code = 'PM')");
        var r = await app.Get<IntakeRepository>().RegisterAsync(agent, new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customer, Content = "电梯经常停运", DispatchDepartmentId = pm, UrgencyMinutes = 60,
        });
        var id = r.ComplaintId!.Value;
        var complaints = app.Get<ComplaintRepository>();
        await complaints.ConfirmContactAsync(handler, id, app.Clock.GetUtcNow(), "电话");
        await conn.ExecuteAsync("UPDATE complaints SET root_cause_id = (SELECT min(id) FROM root_causes WHERE parent_id IS NOT NULL) WHERE id = @id", new { id });
        await complaints.HandleAsync(handler, id, "已维修电梯控制柜", "电梯已修复，给您带来不便深表歉意。", false);
        var taskId = await conn.ExecuteScalarAsync<long>("SELECT id FROM return_visit_tasks WHERE complaint_id = @id", new { id });
        var task = (await app.Get<ReturnVisitRepository>().GetAsync(visitor, taskId))!;
        if (task.AssigneeId != visitor.Id) await app.Get<ReturnVisitRepository>().AssignAsync(visitor, taskId, visitor.Id);
        return (id, taskId);
    }

    [Fact]
    public async Task A_team_member_records_a_reached_call_with_satisfied_and_the_complaint_shows_as_closed()
    {
        var (complaintId, taskId) = await HandledComplaintAsync();
        var page = await browser.SignInAsync(app, "returnvisit");
        await page.ClickAsync("[data-testid=nav-rv-schedule]");
        await Assertions.Expect(page.Locator($"[data-testid=schedule-task-{taskId}]")).ToContainTextAsync("周婷");
        await BrowserFixture.WaitInteractiveAsync(page);
        await page.ClickAsync($"[data-testid=schedule-open-{taskId}]");
        await page.WaitForURLAsync($"**/return-visits/{taskId}");
        await BrowserFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=complaint-state]")).ToContainTextAsync("已处理");

        await page.ClickAsync("[data-testid=result-reached]");
        await page.ClickAsync("[data-testid=outcome-satisfied]");
        await page.ClickAsync("[data-testid=attempt-record]");

        await Assertions.Expect(page.Locator("[data-testid=complaint-state]")).ToContainTextAsync("已关闭");
        await Assertions.Expect(page.Locator("[data-testid=complaint-close-reason]")).ToContainTextAsync("回访满意关闭");
        await Assertions.Expect(page.Locator("[data-testid=task-state]")).ToContainTextAsync("已完成");
        await Assertions.Expect(page.Locator("[data-testid=attempts]")).ToContainTextAsync("满意");
        var c = (await app.Get<ComplaintRepository>().GetAsync(Actor.System, complaintId))!;
        Assert.Equal((ComplaintStates.Closed, CloseReasons.ReturnVisitSatisfied), (c.State, c.CloseReason));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_agent_cannot_open_the_return_visit_schedule()
    {
        var page = await browser.SignInAsync(app, "agent");
        await Assertions.Expect(page.Locator("[data-testid=nav-return-visits]")).ToHaveCountAsync(0);
        await BrowserFixture.GotoAsync(page, "/return-visits");
        await Assertions.Expect(page.Locator("[data-testid=access-denied]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=schedule-empty]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
