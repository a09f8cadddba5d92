using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Jobs.Assessment;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Assessment;

/// <summary>The reporting calendar and the information assessment over the database, with the clock moved (DOMAIN.md §6).</summary>
public sealed class AssessmentTests(DatabaseFixture db) : WorldTests<AssessmentWorld>(db)
{

    private static DateTimeOffset Bj(int y, int m, int d, int h = 0, int min = 0) => AssessmentWorld.Beijing(y, m, d, h, min);

    private Task<long> ReportInstantAsync(Actor who, DateTimeOffset occurredAt, string title = "3号楼电梯困人") =>
        _w.Calendar.ReportInstantAsync(who, new InstantForm { Title = title, OccurredAt = occurredAt, Content = "已处理，无人员受伤" });

    [Fact]
    public async Task A_late_instant_item_and_the_missing_january_items_deduct_automatically_as_the_clock_moves()
    {
        // 10 January 2027: an instant item reported two hours after it happened (on time), another two days after (late).
        _w.MoveTo(Bj(2027, 1, 10, 10));
        var onTime = await ReportInstantAsync(_w.Handler1, Bj(2027, 1, 10, 8), "水管爆裂");
        _w.MoveTo(Bj(2027, 1, 12, 9));
        var late = await ReportInstantAsync(_w.Manager1, Bj(2027, 1, 10, 8), "业主聚集");
        var items = await _w.Calendar.ItemsAsync(_w.Manager1, 2027, null);
        Assert.Equal(ReportStatus.OnTime, items.Single(i => i.Id == onTime).Status);
        Assert.Equal(ReportStatus.Late, items.Single(i => i.Id == late).Status);
        Assert.Equal(ReportStatus.Open, items.Single(i => i.Kind == ReportKinds.AnnualSummaryPlan).Status);

        var score = await _w.ScoreAsync(_w.Dept1, "2027");
        var line = Assert.Single(score.Deductions);
        Assert.Equal(("INSTANT_LATE", 0.5m, late), (line.Rule.Code, line.Points, Assert.Single(line.Occurrences).ItemId));
        Assert.Equal((9.5m, "A"), (score.Score, score.Grade));

        // 15 January 23:59 the annual summary and plan is still on time; at 16 January 00:00 it is missing.
        _w.MoveTo(Bj(2027, 1, 15, 23, 59));
        Assert.Equal(9.5m, (await _w.ScoreAsync(_w.Dept1, "2027")).Score);
        _w.MoveTo(Bj(2027, 1, 16, 0, 1));
        var annual = await _w.ItemAsync(_w.Dept1, 2027, ReportKinds.AnnualSummaryPlan);
        Assert.Equal(ReportStatus.Missing, annual.Status);
        score = await _w.ScoreAsync(_w.Dept1, "2027");
        Assert.Equal(annual.Id, Assert.Single(score.Deductions, d => d.Rule.Code == "ANNUAL_PLAN_MISSING").Occurrences.Single().ItemId);
        Assert.Equal((7.5m, "C"), (score.Score, score.Grade));

        // The training outline submitted on 31 January is on time; in February the other department's is missing.
        _w.MoveTo(Bj(2027, 1, 31, 18));
        await _w.Calendar.SubmitAsync(_w.Handler1, (await _w.ItemAsync(_w.Dept1, 2027, ReportKinds.TrainingOutline)).Id,
            new SubmissionForm { Content = "2027年度各类人员培训纲要及计划", AttachmentNote = "培训大纲.docx 已发企业发展部邮箱" });
        _w.MoveTo(Bj(2027, 2, 1, 9));
        Assert.Equal(ReportStatus.OnTime, (await _w.ItemAsync(_w.Dept1, 2027, ReportKinds.TrainingOutline)).Status);
        Assert.Equal(7.5m, (await _w.ScoreAsync(_w.Dept1, "2027")).Score);
        var other = await _w.ScoreAsync(_w.Dept2, "2027");
        Assert.Equal(["ANNUAL_PLAN_MISSING", "TRAINING_OUTLINE_MISSING"], other.Deductions.Select(d => d.Rule.Code));
        Assert.Equal(7m, other.Score);

        // Submitting the annual plan late does not take the deduction back: it is late, not missing.
        await _w.Calendar.SubmitAsync(_w.Manager1, annual.Id, new SubmissionForm { Content = "2026年度总结及2027年度计划" });
        Assert.Equal(ReportStatus.Late, (await _w.ItemAsync(_w.Dept1, 2027, ReportKinds.AnnualSummaryPlan)).Status);
        Assert.Equal(7.5m, (await _w.ScoreAsync(_w.Dept1, "2027")).Score);

        // The quarter holds the January items; the second quarter starts clean.
        Assert.Equal(7.5m, (await _w.ScoreAsync(_w.Dept1, "2027-Q1")).Score);
        Assert.Equal(10m, (await _w.ScoreAsync(_w.Dept1, "2027-Q2")).Score);
    }

    [Fact]
    public async Task An_instant_item_registered_by_the_enterprise_development_dept_and_not_reported_in_time_deducts()
    {
        _w.MoveTo(Bj(2027, 3, 1, 9));
        var id = await _w.Calendar.ReportInstantAsync(_w.EdHandler,
            new InstantForm { DepartmentId = _w.Dept2, Title = "媒体负面报道", OccurredAt = Bj(2027, 3, 1, 8), SubmitNow = false });
        Assert.Equal(ReportStatus.Open, (await _w.Calendar.ItemsAsync(_w.Manager2, 2027, null)).Single(i => i.Id == id).Status);
        var before = await _w.ScoreAsync(_w.Dept2, "2027-Q1");
        Assert.Equal((7m, false), (before.Score, before.Deductions.Any(d => d.Rule.Code == "INSTANT_LATE"))); // the January items are missing

        _w.MoveTo(Bj(2027, 3, 2, 8, 1)); // 24 hours and a minute after it happened
        var score = await _w.ScoreAsync(_w.Dept2, "2027-Q1");
        var occurrence = Assert.Single(score.Deductions.Single(d => d.Rule.Code == "INSTANT_LATE").Occurrences);
        Assert.Equal((id, ReportStatus.Missing), (occurrence.ItemId, occurrence.Status));
        Assert.Equal(6.5m, score.Score);
    }

    [Fact]
    public async Task Instant_deductions_stop_at_the_cap_and_the_total_is_floored_at_zero()
    {
        _w.MoveTo(Bj(2027, 6, 10, 12));
        for (var i = 0; i < 6; i++) await ReportInstantAsync(_w.Handler1, Bj(2027, 6, 1, 8 + i), $"事件{i}");
        var score = await _w.ScoreAsync(_w.Dept1, "2027-Q2");
        var line = Assert.Single(score.Deductions);
        Assert.Equal((6, 2m, true), (line.Occurrences.Count, line.Points, line.Capped));
        Assert.Equal(8m, score.Score);

        // The admin makes the manual rule heavier and uncapped; three recorded cases take the department to 0, not below.
        await _w.Assessment.SaveRuleAsync(_w.Admin, new RuleEdit { Code = "INFO_NOT_TRUE", Name = "信息不真实", NameEn = "Untrue information", Points = 4, Cap = null });
        for (var i = 0; i < 3; i++)
            await _w.Assessment.RecordDeductionAsync(_w.EdHandler, new ManualDeductionForm { RuleCode = "INFO_NOT_TRUE", DepartmentId = _w.Dept1, OccurredOn = new DateTime(2027, 6, 2 + i), Note = $"第{i + 1}次" });
        score = await _w.ScoreAsync(_w.Dept1, "2027-Q2");
        Assert.Equal(12m, score.Deductions.Single(d => d.Rule.Code == "INFO_NOT_TRUE").Points);
        Assert.Equal((0m, "D"), (score.Score, score.Grade));
        Assert.Equal(["第1次", "第2次", "第3次"], score.Deductions.Single(d => d.Rule.Code == "INFO_NOT_TRUE").Occurrences.Select(o => o.Note));
    }

    [Fact]
    public async Task Editing_a_band_changes_the_grade_and_overlapping_bands_are_refused_with_a_field_message()
    {
        _w.MoveTo(Bj(2027, 1, 20));
        Assert.Equal((8m, "B"), ((await _w.ScoreAsync(_w.Dept1, "2027")).Score, (await _w.ScoreAsync(_w.Dept1, "2027")).Grade));

        await _w.Assessment.SaveBandsAsync(_w.Admin, [
            new GradeBandEdit { Grade = "A", LowerBound = 8, UpperBound = 10 },
            new GradeBandEdit { Grade = "B", LowerBound = 6, UpperBound = 8 },
            new GradeBandEdit { Grade = "C", LowerBound = 0, UpperBound = 6 }]);
        Assert.Equal("A", (await _w.ScoreAsync(_w.Dept1, "2027")).Grade);

        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Assessment.SaveBandsAsync(_w.Admin, [
            new GradeBandEdit { Grade = "A", LowerBound = 7, UpperBound = 10 },
            new GradeBandEdit { Grade = "B", LowerBound = 0, UpperBound = 8 }]));
        Assert.Equal("Assessment.BandOverlap", ex.Errors["Bands[0].Lower"].Code);
        Assert.Equal(["A", "B", "C"], (await _w.Assessment.BandsAsync()).Select(b => b.Grade));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Assessment.SaveBandsAsync(_w.EdHandler, [new GradeBandEdit { Grade = "A", LowerBound = 0, UpperBound = 10 }]));
    }

    [Fact]
    public async Task A_department_sees_and_submits_only_its_own_calendar()
    {
        _w.MoveTo(Bj(2027, 1, 5));
        var theirs = await _w.ItemAsync(_w.Dept2, 2027, ReportKinds.AnnualSummaryPlan);

        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Calendar.ItemsAsync(_w.Handler1, 2027, _w.Dept2));
        Assert.All(await _w.Calendar.ItemsAsync(_w.Handler1, 2027, null), i => Assert.Equal(_w.Dept1, i.DepartmentId));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Calendar.SubmitAsync(_w.Manager1, theirs.Id, new SubmissionForm { Content = "x" }));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Calendar.ReportInstantAsync(_w.Manager1,
            new InstantForm { DepartmentId = _w.Dept2, Title = "t", OccurredAt = Bj(2027, 1, 4), Content = "c" }));
        Assert.Equal([_w.Dept1], (await _w.Assessment.ScoresAsync(_w.Handler1, AssessmentPeriod.Parse("2027"))).Select(s => s.DepartmentId));

        // People without a department duty see nothing; leadership reads all but does not submit.
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Calendar.ItemsAsync(_w.Agent, 2027, null));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Assessment.ScoresAsync(_w.Agent, AssessmentPeriod.Parse("2027")));
        Assert.Contains(await _w.Calendar.ItemsAsync(_w.Leader, 2027, null), i => i.Id == theirs.Id);
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Calendar.SubmitAsync(_w.Leader, theirs.Id, new SubmissionForm { Content = "x" }));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Assessment.RecordDeductionAsync(_w.Manager1,
            new ManualDeductionForm { RuleCode = "INFO_NOT_TRUE", DepartmentId = _w.Dept1, OccurredOn = new DateTime(2027, 1, 4), Note = "x" }));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Assessment.SaveRuleAsync(_w.EdHandler, new RuleEdit { Code = "INSTANT_LATE", Name = "x", NameEn = "x", Points = 1 }));

        // The Enterprise Development Dept sees every department and may record a submission on a department's behalf; once only.
        Assert.Contains(await _w.Calendar.ItemsAsync(_w.EdHandler, 2027, null), i => i.Id == theirs.Id);
        await _w.Calendar.SubmitAsync(_w.Manager2, theirs.Id, new SubmissionForm { Content = "年度总结和计划" });
        Assert.Equal("Reporting.AlreadySubmitted", (await Assert.ThrowsAsync<DomainException>(() =>
            _w.Calendar.SubmitAsync(_w.EdHandler, theirs.Id, new SubmissionForm { Content = "again" }))).Code);
    }

    [Fact]
    public async Task Bad_input_is_refused_at_the_fields_and_nothing_is_written()
    {
        _w.MoveTo(Bj(2027, 4, 1, 9));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Calendar.ReportInstantAsync(_w.Handler1,
            new InstantForm { Title = " ", OccurredAt = Bj(2027, 4, 1, 10), Content = "" }));
        Assert.Equal(("Validation.Required", "Reporting.OccurredInFuture", "Validation.Required"),
            (ex.Errors["Title"].Code, ex.Errors["OccurredAt"].Code, ex.Errors["Content"].Code));
        var rule = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Assessment.SaveRuleAsync(_w.Admin,
            new RuleEdit { Code = "INSTANT_LATE", Name = "即时信息迟报", NameEn = "Late", Points = 1, Cap = 0.5m }));
        Assert.Equal("Assessment.CapBelowPoints", rule.Errors["Cap"].Code);
        Assert.DoesNotContain(await _w.Calendar.ItemsAsync(_w.Handler1, 2027, null), i => i.Kind == ReportKinds.Instant);
    }

    [Fact]
    public async Task The_instant_lag_is_editable_and_applies_to_items_reported_afterwards()
    {
        _w.MoveTo(Bj(2027, 5, 3, 12));
        await _w.Calendar.SaveInstantLagHoursAsync(_w.Admin, 2);
        var late = await ReportInstantAsync(_w.Handler1, Bj(2027, 5, 3, 9));
        var item = (await _w.Calendar.ItemsAsync(_w.Handler1, 2027, null)).Single(i => i.Id == late);
        Assert.Equal((Bj(2027, 5, 3, 11), ReportStatus.Late), (item.DueAt, item.Status));
        await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Calendar.SaveInstantLagHoursAsync(_w.Admin, 0));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Calendar.SaveInstantLagHoursAsync(_w.EdHandler, 48));
    }

    [Fact]
    public async Task The_yearly_job_creates_each_departments_items_once()
    {
        _w.MoveTo(Bj(2028, 1, 1, 0, 10));
        var job = new ReportingCalendarJob(_w.Calendar, _w.S.Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<ReportingCalendarJob>.Instance);
        await job.RunAsync(CancellationToken.None);
        await job.RunAsync(CancellationToken.None);
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        var (items, departments) = await conn.QuerySingleAsync<(long, long)>("""
            SELECT (SELECT count(*) FROM report_items WHERE year = 2028 AND kind <> 'instant'), (SELECT count(*) FROM departments WHERE is_active)
            """);
        Assert.Equal(departments * 2, items);
        Assert.Equal(0, await _w.Calendar.EnsureYearAsync(2028));
        Assert.Equal(0, await _w.Calendar.EnsureYearAsync(2031)); // looking far ahead creates nothing
        Assert.Empty(await _w.Calendar.ItemsAsync(_w.Manager1, 2031, null));
        var mine = await _w.Calendar.ItemsAsync(_w.Manager1, 2028, null);
        Assert.Equal([ReportKinds.AnnualSummaryPlan, ReportKinds.TrainingOutline], mine.Select(i => i.Kind));
    }
}
