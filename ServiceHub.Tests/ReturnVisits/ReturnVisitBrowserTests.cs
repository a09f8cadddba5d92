using Dapper;
using Microsoft.Playwright;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

// Shares the collection's app: the complaint and return visit it closes are its own.
[Collection(BrowserCollection.Name)]
public sealed class ReturnVisitBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [Fact]
    public async Task A_team_member_records_a_reached_call_with_satisfied_and_the_complaint_shows_as_closed()
    {
        var (complaintId, taskId) = await DemoComplaints.HandledWithReturnVisitAsync(app);
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
