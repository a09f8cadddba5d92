using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.ReturnVisits;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

public sealed class SchedulePageTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    /// <summary>Generous: the shared test machine can be slow.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private BunitContext Create(string culture, ServiceHub.Data.Infrastructure.Actor who) =>
        BunitSetup.Create(culture, s => s.AddData(Db.ConnectionString, _s.Clock), a => a.SignedInAs(who));

    /// <summary>Two tasks for the first visitor: one overdue (handled three days ago), one new.</summary>
    private async Task<(long Overdue, long Fresh)> TwoTasksAsync()
    {
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { AssignRule = AssignRules.Lead });
        await _w.ScalarAsync<int>("UPDATE departments SET return_visit_lead_id = @v WHERE id = @cs RETURNING 1", new { v = _w.Visitor.Id, cs = _w.W.CsDepartmentId });
        var overdue = await _w.TaskOfAsync(await _w.HandledComplaintAsync(content: "逾期的投诉"));
        _s.Clock.Advance(TimeSpan.FromDays(3));
        var fresh = await _w.TaskOfAsync(await _w.HandledComplaintAsync(content: "新的投诉"));
        return (overdue, fresh);
    }

    [Fact]
    public async Task The_schedule_shows_each_members_callbacks_with_the_overdue_ones_first()
    {
        var (overdue, fresh) = await TwoTasksAsync();
        await using var ctx = Create("zh-CN", _w.Visitor);
        var page = ctx.Render<Schedule>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid=schedule-member-{_w.Visitor.Id}]")), Wait);
        var section = page.Find($"[data-testid=schedule-member-{_w.Visitor.Id}]");
        Assert.Contains("已超期", section.QuerySelector("[data-testid=schedule-overdue]")!.TextContent);
        var rows = section.QuerySelectorAll("tr[data-testid^=schedule-task-]").Select(r => r.GetAttribute("data-testid")).ToList();
        Assert.True(rows.IndexOf($"schedule-task-{overdue}") < rows.IndexOf($"schedule-task-{fresh}"));
        Assert.Contains(_w.Visitor.UserName, section.TextContent);
        // The satisfaction card is the supervisor's.
        Assert.Empty(page.FindAll("[data-testid=satisfaction-card]"));
    }

    [Fact]
    public async Task The_supervisor_sees_the_satisfaction_card_and_the_queue_of_tasks_that_failed_too_often_in_english()
    {
        var (overdue, _) = await TwoTasksAsync();
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { MaxFailedAttempts = 1 });
        await _w.Visits.RecordAttemptAsync(_w.Visitor, overdue, new AttemptForm { Result = AttemptResults.NoAnswer });
        await using var ctx = Create("en", _w.Supervisor);
        var page = ctx.Render<Schedule>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=schedule-supervisor-queue]")), Wait);
        Assert.Contains("With the supervisor", page.Find($"[data-testid=schedule-supervisor-queue] [data-testid=schedule-task-{overdue}]").TextContent);
        Assert.Contains("Consultation satisfaction rate", page.Find("[data-testid=satisfaction-card]").TextContent);
        Assert.Contains("Target ≥ 90", page.Markup);
    }

    [Fact]
    public async Task Rescheduling_from_the_schedule_moves_the_planned_call_and_a_past_time_is_refused_at_the_field()
    {
        var (_, fresh) = await TwoTasksAsync();
        await using var ctx = Create("zh-CN", _w.Visitor);
        ctx.Render<MudBlazor.MudPopoverProvider>();
        var dialogs = ctx.Render<MudBlazor.MudDialogProvider>();
        var page = ctx.Render<Schedule>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid=schedule-edit-{fresh}]")), Wait);

        // The click's handler awaits the dialog's result: it completes when the dialog closes.
        var click = page.Find($"[data-testid=schedule-edit-{fresh}]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("input[data-testid=dialog-scheduled-at]")), Wait);
        var past = BusinessTime.ToLocal(_s.Clock.GetUtcNow().AddDays(-1)).ToString("yyyy-MM-ddTHH:mm");
        dialogs.Find("input[data-testid=dialog-scheduled-at]").Change(past);
        await dialogs.Find("[data-testid=dialog-save]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("时间不能早于现在", dialogs.Markup), Wait);

        var target = BusinessTime.ToLocal(_s.Clock.GetUtcNow().AddDays(2)).Date.AddHours(10);
        dialogs.Find("input[data-testid=dialog-scheduled-at]").Change(target.ToString("yyyy-MM-ddTHH:mm"));
        await dialogs.Find("[data-testid=dialog-save]").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("input[data-testid=dialog-scheduled-at]")), Wait);
        await click;
        Assert.Equal(BusinessTime.FromLocal(target), await _w.ScalarAsync<DateTimeOffset>("SELECT scheduled_at FROM return_visit_tasks WHERE id = @fresh", new { fresh }));
        page.WaitForAssertion(() => Assert.Contains(target.ToString("yyyy-MM-dd 10:00"), page.Find($"[data-testid=schedule-task-{fresh}]").TextContent), Wait);
    }
}
