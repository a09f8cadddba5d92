using System.Security.Claims;
using Bunit;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Counting;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

/// <summary>
/// Next year's calendar (issue #11 point 12): the admin loads a year's public holidays and make-up working days from pasted or uploaded
/// lines; a year without a calendar is warned about from 60 days before it. The 2027 lines below are test data, not the State Council's
/// notice (which is not seeded).
/// </summary>
public sealed class CalendarImportTests
{
    [Fact]
    public void Tab_or_comma_separated_lines_with_a_header_and_chinese_kinds_are_read()
    {
        var text = "日期\t类型\t名称\n2027-01-01\t休\t元旦\r\n\n# 测试数据\n2027/2/6,班,测试调休\n2027-02-08，holiday，测试假日, 含逗号\n";
        var r = CalendarImport.Parse(2027, text);
        Assert.True(r.Ok);
        Assert.Equal(
            [
                new CalendarDay(new DateOnly(2027, 1, 1), CalendarDayKinds.Holiday, "元旦"),
                new CalendarDay(new DateOnly(2027, 2, 6), CalendarDayKinds.Workday, "测试调休"),
                new CalendarDay(new DateOnly(2027, 2, 8), CalendarDayKinds.Holiday, "测试假日, 含逗号"),
            ], r.Days);
    }

    [Fact]
    public void Every_wrong_line_is_named_with_its_number_and_nothing_is_read()
    {
        var text = string.Join('\n',
            "2027-01-01,休,元旦",          // 1 fine
            "2027-13-01,休,测试",          // 2 no such date
            "2026-12-31,休,测试",          // 3 another year
            "2027-01-02,放风,测试",        // 4 unknown kind
            "2027-01-03,休,",              // 5 no name
            "2027-01-01,休,元旦",          // 6 repeats line 1
            "2027-01-04,班,测试调休",      // 7 a Monday: a make-up working day falls on a weekend
            "2027-01-05,休");              // 8 a field missing
        var r = CalendarImport.Parse(2027, text);
        Assert.Empty(r.Days);
        Assert.Equal(
            [
                (2, "Counting.Calendar.Import.Date"), (3, "Counting.Calendar.Import.OtherYear"), (4, "Counting.Calendar.Import.Kind"),
                (5, "Counting.Calendar.Import.Name"), (6, "Counting.Calendar.Import.Duplicate"), (7, "Counting.Calendar.Import.WorkdayOnWeekday"),
                (8, "Counting.Calendar.Import.Fields"),
            ], r.Errors.Select(e => (e.Line, e.Code)));
        Assert.Equal(["2027-01-01", 1], r.Errors.Single(e => e.Line == 6).Args);
    }

    [Theory]
    [InlineData("", "Counting.Calendar.Import.Empty")]
    [InlineData("# 只有注释\n\n", "Counting.Calendar.Import.Empty")]
    [InlineData("2027-02-06,班,测试调休", "Counting.Calendar.Import.NoHoliday")]
    public void A_text_without_a_holiday_is_not_a_years_calendar(string text, string code) =>
        Assert.Equal((0, code), CalendarImport.Parse(2027, text).Errors.Select(e => (e.Line, e.Code)).Single());

    [Fact]
    public void Every_input_has_a_length_limit()
    {
        Assert.Equal("Validation.TooLong", CalendarImport.Parse(2027, new string('x', CalendarImport.MaxLength + 1)).Errors.Single().Code);
        var many = string.Join('\n', Enumerable.Range(0, CalendarImport.MaxLines + 1).Select(i => $"{new DateOnly(2027, 1, 1).AddDays(i):yyyy-MM-dd},休,测试"));
        Assert.Equal("Counting.Calendar.Import.TooManyLines", CalendarImport.Parse(2027, many).Errors.Single().Code);
        Assert.Equal("Counting.Calendar.Import.NameTooLong", CalendarImport.Parse(2027, $"2027-01-01,休,{new string('节', 51)}").Errors.Single().Code);
    }

    [Theory]
    [InlineData("2026-11-01", false, null)]   // 61 days before 2027
    [InlineData("2026-11-02", false, 2027)]   // 60 days before: warned
    [InlineData("2026-11-02", true, null)]    // 2027 loaded
    [InlineData("2027-01-05", false, 2027)]   // inside the year without a calendar
    public void The_warning_starts_60_days_before_a_year_without_a_calendar(string today, bool nextLoaded, int? missing)
    {
        var day = DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture);
        HashSet<int> loaded = nextLoaded ? [2026, 2027] : [2026];
        if (day.Year == 2027) loaded.Remove(2027);
        Assert.Equal(missing, CalendarCoverage.MissingYear(day, loaded));
        Assert.Equal(new DateOnly(2026, 11, 2), CalendarCoverage.WarnFrom(2027));
    }
}

/// <summary>The year's calendar loaded in the database, the warnings as the clock moves, and the pages (a database per class).</summary>
public sealed class CalendarYearTests(DatabaseFixture db) : WorldTests<CountingWorld>(db)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>Sunday 2026-11-01 23:59 Beijing: one minute before the 2027 warning starts.</summary>
    private static readonly DateTimeOffset LastQuietMinute = BusinessTime.FromLocal(new DateTime(2026, 11, 1, 23, 59, 0));

    /// <summary>A made-up 2027 calendar (not the notice): Friday 29 January a holiday, Saturday 30 January a make-up working day.</summary>
    private const string Test2027 = "2027-01-01\t休\t元旦\n2027-01-29\t休\t测试假日\n2027-01-30\t班\t测试调休\n";

    private CalendarRepository Calendar => _s.Get<CalendarRepository>();
    private readonly Actor _admin = new(0, "system", "system", [Roles.Admin], null);

    protected override DateTimeOffset? Start => LastQuietMinute;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _w.ExecuteAsync("DELETE FROM calendar_days WHERE day >= '2027-01-01'; DELETE FROM calendar_years WHERE year >= 2027");
    }

    private async Task<int> CountAsync(string sql)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>(sql);
    }

    [Fact]
    public async Task Only_2026_is_seeded_and_2027_is_warned_from_2_november_2026()
    {
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM calendar_years WHERE year = 2026"));
        Assert.Null(await Calendar.MissingYearAsync(_w.Supervisor));
        _s.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2027, await Calendar.MissingYearAsync(_w.Supervisor));
        Assert.Equal(2027, await Calendar.MissingYearAsync(_w.W.Handler));
    }

    [Fact]
    public async Task A_wrong_line_refuses_the_whole_text_with_line_numbered_errors_and_writes_nothing()
    {
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Calendar.ImportYearAsync(_admin, 2027, Test2027 + "2027-02-30\t休\t测试\n2027-03-01\t班\t测试\n"));
        Assert.Equal(["Line:4", "Line:5"], ex.Errors.Keys.Order());
        Assert.Equal("Counting.Calendar.Import.Date", ex.Errors["Line:4"].Code);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_days WHERE day >= '2027-01-01'"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_years WHERE year = 2027"));
        await Assert.ThrowsAsync<ForbiddenException>(() => Calendar.ImportYearAsync(_w.Supervisor, 2027, Test2027));
    }

    [Fact]
    public async Task Hundred_kilobytes_or_a_nul_in_a_days_name_refuse_the_text_and_markup_emoji_and_marks_in_a_name_are_stored_as_typed()
    {
        // Issue #12 point 15: the pasted calendar's free text is its days' names.
        var huge = await Assert.ThrowsAsync<ValidationFailedException>(() => Calendar.ImportYearAsync(_admin, 2027, Test2027 + Security.Hostile.Huge));
        Assert.Equal(("Validation.TooLong", CalendarImport.MaxLength), (huge.Errors["Text"].Code, (int)huge.Errors["Text"].Args[0]));
        var nul = await Assert.ThrowsAsync<ValidationFailedException>(() => Calendar.ImportYearAsync(_admin, 2027, Test2027 + "2027-02-01\t休\t" + Security.Hostile.Nul));
        Assert.Equal("Validation.NulCharacter", nul.Errors["Text"].Code);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_days WHERE day >= '2027-01-01'"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_years WHERE year = 2027"));

        string[] names = ["<script>alert('x')</script>", "\u202E业主\u200F反映\u202C", "电梯坏了😡🛗", "响铃\u0007结束", "'; DROP TABLE contacts; --"];
        Assert.Equal(3 + names.Length, await Calendar.ImportYearAsync(_admin, 2027,
            Test2027 + string.Concat(names.Select((n, i) => $"2027-02-{i + 1:00}\t休\t{n}\n"))));
        Assert.Equal(names, (await Calendar.ListAsync(2027)).Where(d => d.Day.Month == 2).Select(d => d.Name));
    }

    [Fact]
    public async Task Loading_2027_replaces_its_days_ends_the_warning_and_moves_the_hot_complaint_due_time()
    {
        _s.Clock.SetUtcNow(BusinessTime.FromLocal(new DateTime(2027, 1, 28, 10, 0, 0))); // Thursday
        Assert.Equal(2027, await Calendar.MissingYearAsync(_w.Supervisor));
        await Calendar.SaveAsync(_admin, new DateOnly(2027, 3, 3), CalendarDayKinds.Holiday, "将被替换");
        const string Audited = "SELECT count(*) FROM audit_log WHERE entity = 'calendar_year' AND entity_id = '2027'";
        var auditedBefore = await CountAsync(Audited);

        Assert.Equal(3, await Calendar.ImportYearAsync(_admin, 2027, Test2027));

        Assert.Null(await Calendar.MissingYearAsync(_w.Supervisor));
        Assert.Equal(["元旦", "测试假日", "测试调休"], (await Calendar.ListAsync(2027)).Select(d => d.Name));
        Assert.Contains(await Calendar.ListAsync(2026), d => d.Day == new DateOnly(2026, 10, 10)); // another year untouched
        var year = Assert.Single(await Calendar.YearsAsync(_admin), y => y.Year == 2027);
        Assert.Equal((3, _s.Clock.GetUtcNow()), (year.Days, year.LoadedAt));
        Assert.Equal(auditedBefore + 1, await CountAsync(Audited));

        // Flagged on Thursday 10:00: Friday is the test holiday, Saturday the make-up working day → due Saturday 10:00.
        var hot = await _w.Hot.FlagAsync(_w.Supervisor, await _w.ComplaintAsync("热点投诉"));
        Assert.Equal(BusinessTime.FromLocal(new DateTime(2027, 1, 30, 10, 0, 0)), (await _w.Hot.GetAsync(Actor.System, hot))!.DueAt);
    }

    private BunitContext Page(Actor who, string culture = "zh-CN") => BunitSetup.Create(culture, s => s.AddData(Db.ConnectionString, _s.Clock), a => a.SignedInAs(who));

    private async Task<Actor> AdminAsync() =>
        new(await Build.UserAsync(_s, $"adm{Guid.NewGuid():N}"[..12], [Roles.Admin]), "admin", "管理员", [Roles.Admin], null);

    [Fact]
    public async Task The_admin_is_warned_on_the_home_page_from_2_november_and_others_are_not()
    {
        var admin = await AdminAsync();
        await using (var quiet = Page(admin))
        {
            var home = quiet.Render<ServiceHub.App.Components.Pages.Home>();
            home.WaitForAssertion(() => Assert.NotEmpty(home.FindAll("[data-testid^=home-card-]")), Wait);
            Assert.Empty(home.FindAll("[data-testid=calendar-gap-admin]"));
        }
        _s.Clock.Advance(TimeSpan.FromMinutes(1));
        await using (var warned = Page(admin, "en"))
        {
            var home = warned.Render<ServiceHub.App.Components.Pages.Home>();
            home.WaitForAssertion(() => Assert.NotNull(home.Find("[data-testid=calendar-gap-admin]")), Wait);
            Assert.Contains("The 2027 public holidays are not loaded", home.Find("[data-testid=calendar-gap-admin]").TextContent);
            Assert.Equal("/counting/calendar?year=2027", home.Find("[data-testid=calendar-gap-link]").GetAttribute("href"));
        }
        await using (var supervisor = Page(_w.Supervisor))
        {
            var home = supervisor.Render<ServiceHub.App.Components.Pages.Home>();
            home.WaitForAssertion(() => Assert.NotEmpty(home.FindAll("[data-testid^=home-card-]")), Wait);
            Assert.Empty(home.FindAll("[data-testid=calendar-gap-admin]"));
        }
    }

    [Fact]
    public async Task The_hot_complaint_due_time_carries_the_warning_from_2_november()
    {
        await _w.Hot.FlagAsync(_w.Supervisor, await _w.ComplaintAsync("热点投诉"));
        await using (var quiet = Page(_w.Supervisor))
        {
            var list = quiet.Render<HotComplaints>();
            list.WaitForAssertion(() => Assert.NotEmpty(list.FindAll("[data-testid=hot-open] tbody tr")), Wait);
            Assert.Empty(list.FindAll("[data-testid=calendar-gap-due]"));
        }
        _s.Clock.Advance(TimeSpan.FromMinutes(1));
        await using var warned = Page(_w.Supervisor);
        var page = warned.Render<HotComplaints>();
        page.WaitForAssertion(() => Assert.Contains("2027 年节假日安排尚未录入", page.Find("[data-testid=calendar-gap-due]").TextContent), Wait);
    }

    [Fact]
    public async Task The_admin_pastes_the_year_on_the_calendar_page_sees_the_wrong_lines_then_loads_it()
    {
        _s.Clock.Advance(TimeSpan.FromMinutes(1));
        var admin = await AdminAsync();
        await using var ctx = Page(admin);
        ctx.Render<MudBlazor.MudPopoverProvider>();
        var page = ctx.Render<BusinessCalendarPage>();
        // The year to load comes first.
        page.WaitForAssertion(() => Assert.Contains("录入 2027 年", page.Find("[data-testid=calendar-import-load]").TextContent), Wait);
        Assert.Contains("未录入", page.Find("[data-testid=calendar-year-status]").TextContent);

        page.Find("textarea[data-testid=calendar-import-text]").Change("2027-01-01\t休\t元旦\n2027-01-04\t班\t测试调休");
        await page.Find("[data-testid=calendar-import-load]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("第 2 行：2027-01-04 本来就是工作日", page.Find("[data-testid=calendar-import-errors]").TextContent), Wait);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM calendar_days WHERE day >= '2027-01-01'"));

        page.Find("textarea[data-testid=calendar-import-text]").Change(Test2027);
        await page.Find("[data-testid=calendar-import-load]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Contains("已整年录入", page.Find("[data-testid=calendar-year-status]").TextContent), Wait);
        Assert.Empty(page.FindAll("[data-testid=calendar-import-errors]"));
        Assert.Contains("测试假日", page.Find("[data-testid=calendar]").TextContent);
    }
}
