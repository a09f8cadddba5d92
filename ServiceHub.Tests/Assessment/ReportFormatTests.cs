using Bunit;
using ServiceHub.App.Components.Pages.Assessment;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Assessment;

/// <summary>
/// The unified reporting formats (DOMAIN.md §1): the Enterprise Management Dept's managers (and admins) issue them, every department
/// follows the current version, and the old versions stay — over the database, and on the calendar page with bUnit.
/// </summary>
public sealed class ReportFormatTests(DatabaseFixture db) : WorldTests<AssessmentWorld>(db)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static ReportFormatForm Form(string kind, int basedOn, string title, string contents = "一、上年度工作总结\n二、本年度工作计划\n三、三年规划") =>
        new() { Kind = kind, BasedOnVersion = basedOn, Title = title, Contents = contents };

    [Fact]
    public async Task The_enterprise_management_depts_manager_issues_a_format_and_every_department_sees_the_current_version()
    {
        _w.MoveTo(AssessmentWorld.Beijing(2026, 12, 21, 9));
        var v1 = await _w.Formats.IssueAsync(_w.EmManager, Form(ReportKinds.AnnualSummaryPlan, 0, "年度总结和计划报送格式"));
        Assert.Equal(1, v1);

        foreach (var reader in new[] { _w.Manager1, _w.Handler1, _w.Manager2, _w.EdHandler, _w.Leader })
        {
            var current = Assert.Single(await _w.Formats.CurrentAsync(reader)).Value;
            Assert.Equal((ReportKinds.AnnualSummaryPlan, 1, "年度总结和计划报送格式"), (current.Kind, current.Version, current.Title));
            Assert.Equal("一、上年度工作总结\n二、本年度工作计划\n三、三年规划", current.Contents);
            Assert.Equal((_w.EmManager.UserName, _w.S.Clock.GetUtcNow()), (current.IssuedByName, current.IssuedAt));
        }
        // An agent has no place on the calendar, so no formats either.
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Formats.CurrentAsync(_w.Agent));
    }

    [Fact]
    public async Task Another_departments_manager_and_the_enterprise_management_depts_handler_are_refused()
    {
        foreach (var who in new[] { _w.Manager1, _w.EmHandler, _w.EdHandler, _w.Leader })
            await Assert.ThrowsAsync<ForbiddenException>(() => _w.Formats.IssueAsync(who, Form(ReportKinds.TrainingOutline, 0, "培训大纲格式")));
        Assert.Empty(await _w.Formats.HistoryAsync(_w.Admin, ReportKinds.TrainingOutline));
        // The admin may, as the access map says.
        Assert.Equal(1, await _w.Formats.IssueAsync(_w.Admin, Form(ReportKinds.TrainingOutline, 0, "培训大纲格式")));
    }

    [Fact]
    public async Task A_new_version_becomes_current_and_keeps_the_old_ones_audited()
    {
        _w.MoveTo(AssessmentWorld.Beijing(2026, 12, 21, 9));
        await _w.Formats.IssueAsync(_w.EmManager, Form(ReportKinds.Instant, 0, "即时信息报送格式", "时间、地点、经过"));
        _w.MoveTo(AssessmentWorld.Beijing(2026, 12, 28, 9));
        Assert.Equal(2, await _w.Formats.IssueAsync(_w.EmManager, Form(ReportKinds.Instant, 1, "即时信息报送格式（修订）", "时间、地点、经过、处理措施、影响范围")));

        var current = (await _w.Formats.CurrentAsync(_w.Handler1))[ReportKinds.Instant];
        Assert.Equal((2, "时间、地点、经过、处理措施、影响范围"), (current.Version, current.Contents));
        var history = await _w.Formats.HistoryAsync(_w.Manager2, ReportKinds.Instant);
        Assert.Equal([(2, "即时信息报送格式（修订）"), (1, "即时信息报送格式")], history.Select(f => (f.Version, f.Title)));
        Assert.Equal("时间、地点、经过", history[1].Contents);
        Assert.Equal(AssessmentWorld.Beijing(2026, 12, 21, 9), history[1].IssuedAt);

        // A revision of a version that is no longer current (someone issued since) is refused: nothing overwritten, no second "version 2".
        var stale = await Assert.ThrowsAsync<DomainException>(() => _w.Formats.IssueAsync(_w.Admin, Form(ReportKinds.Instant, 1, "另一份修订")));
        Assert.Equal("ReportFormat.Changed", stale.Code);
        Assert.Equal(2, (await _w.Formats.HistoryAsync(_w.Admin, ReportKinds.Instant)).Count);

        var audit = await _w.ScalarListAsync<string>("SELECT details FROM audit_log WHERE action = 'report-format-issued' AND user_name = @u ORDER BY id",
            new { u = _w.EmManager.UserName });
        Assert.Equal(["instant v1 即时信息报送格式", "instant v2 即时信息报送格式（修订）"], audit);
    }

    [Fact]
    public async Task Bad_input_is_refused_at_the_field_and_the_database_refuses_it_too()
    {
        var e = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            _w.Formats.IssueAsync(_w.EmManager, new ReportFormatForm { Kind = "weekly", Title = " ", Contents = new string('要', ReportFormatForm.ContentsMax + 1) }));
        Assert.Equal(("Validation.Required", "Validation.Required", "Validation.TooLong"), (e.Errors["Kind"].Code, e.Errors["Title"].Code, e.Errors["Contents"].Code));
        e = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            _w.Formats.IssueAsync(_w.EmManager, Form(ReportKinds.Instant, 0, new string('题', ReportFormatForm.TitleMax + 1), "")));
        Assert.Equal(("Validation.TooLong", "Validation.Required"), (e.Errors["Title"].Code, e.Errors["Contents"].Code));
        Assert.Empty(await _w.Formats.HistoryAsync(_w.Admin, ReportKinds.Instant));

        // The table's CHECKs hold the same limits for any other writer.
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => _w.ExecuteAsync(
            "INSERT INTO report_formats (kind, version, title, contents, issued_at) VALUES ('instant', 1, @t, 'x', now())",
            new { t = new string('题', ReportFormatForm.TitleMax + 1) }));
    }

    [Fact]
    public async Task The_calendar_shows_the_current_format_beside_the_item_and_when_submitting_it()
    {
        _w.MoveTo(AssessmentWorld.Beijing(2027, 1, 5, 9));
        await _w.Formats.IssueAsync(_w.EmManager, Form(ReportKinds.AnnualSummaryPlan, 0, "年度总结和计划报送格式"));
        await _w.Formats.IssueAsync(_w.EmManager, Form(ReportKinds.AnnualSummaryPlan, 1, "年度总结和计划报送格式", "一、上年度工作总结\n二、本年度工作计划\n三、三年规划\n四、需协调事项"));
        var annual = await _w.ItemAsync(_w.Dept1, 2027, ReportKinds.AnnualSummaryPlan);
        var training = await _w.ItemAsync(_w.Dept1, 2027, ReportKinds.TrainingOutline);

        await using var ctx = ReportingPageTests.Create(_w, "zh-CN", _w.Handler1);
        var page = ctx.Render<ReportingCalendarPage>();
        page.WaitForAssertion(() => Assert.Equal("格式：年度总结和计划报送格式（第2版）", page.Find($"[data-testid=item-format-{annual.Id}]").TextContent.Trim()), Wait);
        Assert.Empty(page.FindAll($"[data-testid=item-format-{training.Id}]"));
        // A department reads the formats but issues none.
        Assert.Empty(page.FindAll("[data-testid^=format-issue-]"));
        Assert.Contains("企业管理部尚未下发此项格式。", page.Find($"[data-testid=format-kind-{ReportKinds.TrainingOutline}]").TextContent);

        await page.Find($"button[data-testid=submit-{annual.Id}]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("四、需协调事项", page.Find("[data-testid=submission-format]").TextContent), Wait);
        Assert.Contains("年度总结和计划报送格式（第2版）", page.Find("[data-testid=submission-format]").TextContent);
    }

    [Fact]
    public async Task The_enterprise_management_depts_manager_revises_a_format_on_the_page_and_bad_input_shows_at_the_field_in_english()
    {
        _w.MoveTo(AssessmentWorld.Beijing(2027, 1, 5, 9));
        await _w.Formats.IssueAsync(_w.EmManager, Form(ReportKinds.TrainingOutline, 0, "Training outline format", "1. Courses\n2. Trainers"));

        await using var ctx = ReportingPageTests.Create(_w, "en", _w.EmManager);
        var page = ctx.Render<ReportingCalendarPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"button[data-testid=format-issue-{ReportKinds.TrainingOutline}]")), Wait);
        Assert.Equal("Training outline format (version 1)", page.Find($"[data-testid=format-current-{ReportKinds.TrainingOutline}]").TextContent.Trim());

        await page.Find($"button[data-testid=format-issue-{ReportKinds.TrainingOutline}]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=format-form]")), Wait);
        page.Find("input[data-testid=format-title]").Change("");
        await page.Find("button[data-testid=format-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("This field is required.", page.Find("[data-testid=format-form]").TextContent), Wait);
        Assert.Single(await _w.Formats.HistoryAsync(_w.Admin, ReportKinds.TrainingOutline));

        page.Find("input[data-testid=format-title]").Change("Training outline format");
        page.Find("textarea[data-testid=format-contents]").Change("1. Courses\n2. Trainers\n3. Budget");
        await page.Find("button[data-testid=format-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("Training outline format (version 2)",
            page.Find($"[data-testid=format-current-{ReportKinds.TrainingOutline}]").TextContent.Trim()), Wait);
        var training = await _w.ItemAsync(_w.EmManager.DepartmentId!.Value, 2027, ReportKinds.TrainingOutline);
        Assert.Equal("Format: Training outline format (version 2)", page.Find($"[data-testid=item-format-{training.Id}]").TextContent.Trim());

        await page.Find($"button[data-testid=format-history-toggle-{ReportKinds.TrainingOutline}]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll($"[data-testid=format-history-{ReportKinds.TrainingOutline}] tr").Count), Wait);
    }
}
