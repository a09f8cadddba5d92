using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Assessment;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Assessment;

/// <summary>The reporting calendar and assessment pages rendered with bUnit over the database.</summary>
public sealed class ReportingPageTests(DatabaseFixture db) : WorldTests<AssessmentWorld>(db)
{
    /// <summary>Generous: the shared test machine can be slow.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private BunitContext Create(string culture, Actor who) => Create(_w, culture, who);

    /// <summary>The calendar's pages over the world's database, signed in as <paramref name="who"/>.</summary>
    internal static BunitContext Create(AssessmentWorld w, string culture, Actor who)
    {
        var ctx = BunitSetup.Create(culture, s => s.AddData(w.ConnectionString, w.Clock), a => a.SignedInAs(who));
        ctx.Render<MudBlazor.MudPopoverProvider>();
        return ctx;
    }

    [Fact]
    public async Task A_handler_submits_the_annual_plan_from_the_calendar_and_it_shows_as_on_time()
    {
        _w.MoveTo(AssessmentWorld.Beijing(2027, 1, 14, 16));
        var annual = await _w.ItemAsync(_w.Dept1, 2027, ReportKinds.AnnualSummaryPlan);
        var theirs = await _w.ItemAsync(_w.Dept2, 2027, ReportKinds.AnnualSummaryPlan);

        await using var ctx = Create("zh-CN", _w.Handler1);
        var page = ctx.Render<ReportingCalendarPage>();
        page.WaitForAssertion(() => Assert.Equal("待报送", page.Find($"[data-testid=status-{annual.Id}]").TextContent.Trim()), Wait);
        Assert.Contains("2027年度总结和计划", page.Find($"[data-testid=item-{annual.Id}]").TextContent);
        Assert.Empty(page.FindAll($"[data-testid=item-{theirs.Id}]"));

        // Nothing written without content: the message is at the field.
        await page.Find($"button[data-testid=submit-{annual.Id}]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=submission-form]")), Wait);
        await page.Find("button[data-testid=submission-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("此项必填。", page.Find("[data-testid=submission-form]").TextContent), Wait);

        page.Find("textarea[data-testid=submission-content]").Change("2026年度工作总结及2027年度计划");
        page.Find("input[data-testid=submission-attachment]").Change("年度总结.docx");
        await page.Find("button[data-testid=submission-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("按时报送", page.Find($"[data-testid=status-{annual.Id}]").TextContent.Trim()), Wait);
        Assert.Contains("年度总结.docx", page.Find($"[data-testid=item-{annual.Id}]").TextContent);
        Assert.Empty(page.FindAll($"button[data-testid=submit-{annual.Id}]"));

        var saved = await _w.ItemAsync(_w.Dept1, 2027, ReportKinds.AnnualSummaryPlan);
        Assert.Equal(("2026年度工作总结及2027年度计划", _w.S.Clock.GetUtcNow()), (saved.Content, saved.SubmittedAt));
    }

    [Fact]
    public async Task Leadership_reads_every_departments_score_grade_and_the_item_behind_each_deduction_in_english()
    {
        _w.MoveTo(AssessmentWorld.Beijing(2027, 1, 10, 9));
        await _w.Calendar.ReportInstantAsync(_w.Manager2, new InstantForm { Title = "Basement flooded", OccurredAt = AssessmentWorld.Beijing(2027, 1, 8, 9), Content = "Pumped out" });
        _w.MoveTo(AssessmentWorld.Beijing(2027, 2, 3, 9));

        await using var ctx = Create("en", _w.Leader);
        var page = ctx.Render<AssessmentPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid=score-{_w.Dept2}]")), Wait);
        Assert.Equal("6.5", page.Find($"[data-testid=score-{_w.Dept2}]").TextContent.Trim());
        Assert.Equal("C", page.Find($"[data-testid=grade-{_w.Dept2}]").TextContent.Trim());
        var deductions = page.Find($"[data-testid=deductions-{_w.Dept2}]").TextContent;
        Assert.Contains("Instant information not reported in time (each): 1 occurrence(s), −0.5", deductions);
        Assert.Contains("Instant information: Basement flooded", deductions);
        Assert.Contains("Annual summary and plan 2027", deductions);
        Assert.Contains("Missing", deductions);
        Assert.NotNull(page.Find($"[data-testid=score-{_w.Dept1}]"));
        // Leadership reads; only the admin edits rules and bands.
        Assert.Empty(page.FindAll("[data-testid=band-form]"));
        Assert.Empty(page.FindAll("[data-testid=manual-deduction-form]"));
    }
}

/// <summary>Server-side authorisation of the pages, over the demo company.</summary>
[Collection(AppCollection.Name)]
public sealed class ReportingPageAccessTests(AppFactory app)
{
    private int DemoYear => BusinessTime.ToLocal(app.Clock.GetUtcNow().AddDays(-300)).Year;

    [Fact]
    public async Task A_department_manager_sees_only_their_own_departments_calendar()
    {
        var client = await app.SignedInClientAsync("pmmanager");
        var html = await (await client.GetAsync($"/reporting?year={DemoYear}")).Content.ReadAsStringAsync();
        Assert.Contains("信息报送日历", html);
        Assert.Contains("西山御园暴雨致地下车库进水", html);   // the property company's
        Assert.DoesNotContain("金泰城网上论坛出现集中投诉帖", html); // the customer service dept's
    }

    [Fact]
    public async Task The_enterprise_development_dept_sees_every_department()
    {
        var client = await app.SignedInClientAsync("docadmin");
        var html = await (await client.GetAsync($"/reporting?year={DemoYear}")).Content.ReadAsStringAsync();
        Assert.Contains("西山御园暴雨致地下车库进水", html);
        Assert.Contains("金泰城网上论坛出现集中投诉帖", html);
    }

    [Theory]
    [InlineData("agent", "/reporting")]
    [InlineData("agent", "/assessment")]
    [InlineData("hr", "/assessment")]
    public async Task Roles_without_a_department_duty_are_refused(string user, string path)
    {
        var client = await app.SignedInClientAsync(user);
        var r = await client.GetAsync(path);
        Assert.True(r.StatusCode is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.Redirect, $"{path}: {r.StatusCode}");
        if (r.StatusCode == System.Net.HttpStatusCode.Redirect) Assert.StartsWith("/account/denied", r.Headers.Location!.PathAndQuery);
    }
}
