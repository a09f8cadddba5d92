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
    public async Task The_return_visit_lead_closes_a_visit_that_failed_on_three_days_as_unreachable_and_the_complaint_closes_by_the_week()
    {
        var (complaintId, taskId) = await DemoComplaints.HandledWithReturnVisitAsync(app);
        var handledAt = app.Clock.GetUtcNow();
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            var visitor = await DemoComplaints.DemoActorAsync(conn, "returnvisit2");
            var supervisor = await DemoComplaints.DemoActorAsync(conn, "supervisor");
            for (var day = 1; day <= 3; day++)
            {
                app.Clock.Advance(TimeSpan.FromDays(1));
                var state = (await app.Get<ReturnVisitRepository>().GetAsync(supervisor, taskId))!.State;
                await app.Get<ReturnVisitRepository>().RecordAttemptAsync(state == TaskStates.Escalated ? supervisor : visitor, taskId, new AttemptForm { Result = AttemptResults.NoAnswer });
            }
        }

        // 周婷 leads the CS department's return visits.
        var page = await browser.SignInAsync(app, "returnvisit", startAt: $"/return-visits/{taskId}");
        await Assertions.Expect(page.Locator("[data-testid=task-failed-days]")).ToContainTextAsync("3 / 3");
        await Assertions.Expect(page.Locator("[data-testid=unreachable-panel]")).ToBeVisibleAsync();
        await page.FillAsync("textarea[data-testid=unreachable-note]", "三天三次均无人接听");
        await page.ClickAsync("[data-testid=unreachable-close]");

        await Assertions.Expect(page.Locator("[data-testid=task-state]")).ToContainTextAsync("无法联系");
        await Assertions.Expect(page.Locator("[data-testid=task-unreachable]")).ToContainTextAsync("三天三次均无人接听");
        await Assertions.Expect(page.Locator("[data-testid=attempts] tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-testid=unreachable-panel]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();

        // The complaint closes one week after its handling, as without a return visit.
        app.Clock.SetUtcNow(handledAt.AddDays(7));
        await app.Get<ClosureSweep>().RunAsync();
        var c = (await app.Get<ComplaintRepository>().GetAsync(Actor.System, complaintId))!;
        Assert.Equal((ComplaintStates.Closed, CloseReasons.AutoOneWeek), (c.State, c.CloseReason));
        Assert.Contains(await app.Get<ComplaintRepository>().TimelineAsync(Actor.System, complaintId), e => e.Kind == ComplaintEvents.ReturnVisitUnreachable);
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
