using ServiceHub.Data.Assessment;

namespace ServiceHub.Tests.Assessment;

/// <summary>The ten-point scale, the caps, the floor and the grade bands as pure functions (DOMAIN.md §6).</summary>
public sealed class ScoringTests
{
    private static AssessmentRule Rule(decimal points, decimal? cap) => new("R", "规则", "Rule", RuleSources.Manual, points, cap, true, 1);

    private static readonly GradeBand[] Default = [new("A", 9, 10), new("B", 8, 9), new("C", 6, 8), new("D", 0, 6)];

    [Fact]
    public void Several_deductions_add_up_each_rule_no_more_than_its_cap()
    {
        var instant = Scoring.Deduction(Rule(0.5m, 2m), 3);          // 1.5, under the cap
        var manyInstant = Scoring.Deduction(Rule(0.5m, 2m), 7);      // 3.5 capped at 2
        var annual = Scoring.Deduction(Rule(2m, 2m), 1);
        var uncapped = Scoring.Deduction(Rule(1m, null), 4);
        Assert.Equal((1.5m, 2m, 2m, 4m), (instant, manyInstant, annual, uncapped));
        Assert.Equal(6.5m, Scoring.Total([instant, annual]));
        Assert.Equal(2m, Scoring.Total([manyInstant, annual, uncapped]));
        Assert.Equal(10m, Scoring.Total([]));
    }

    [Fact]
    public void The_total_never_goes_below_zero()
    {
        Assert.Equal(0m, Scoring.Total([6m, 6m]));
        Assert.Equal(0m, Scoring.Total([10m]));
    }

    [Theory]
    [InlineData(10, "A")]      // the top band includes 10
    [InlineData(9, "A")]       // lower bounds are inclusive
    [InlineData(8.99, "B")]    // upper bounds are exclusive
    [InlineData(8, "B")]
    [InlineData(7.5, "C")]
    [InlineData(6, "C")]
    [InlineData(5.99, "D")]
    [InlineData(0, "D")]
    public void Grade_bands_include_their_lower_bound_and_exclude_their_upper_bound_except_ten(double score, string grade) =>
        Assert.Equal(grade, Scoring.Grade(Default, (decimal)score));

    private static List<GradeBandEdit> Bands(params (string G, decimal L, decimal U)[] b) =>
        b.Select(x => new GradeBandEdit { Grade = x.G, LowerBound = x.L, UpperBound = x.U }).ToList();

    [Fact]
    public void Bands_covering_zero_to_ten_without_overlap_are_accepted_in_any_order() =>
        Assert.Empty(Scoring.Validate(Bands(("C", 6, 8), ("A", 9, 10), ("D", 0, 6), ("B", 8, 9))));

    [Fact]
    public void Overlapping_bands_are_refused_at_the_lower_bound_of_the_overlapping_band()
    {
        var errors = Scoring.Validate(Bands(("A", 9, 10), ("B", 7, 9.5m), ("C", 0, 7)));
        var e = Assert.Single(errors);
        Assert.Equal("Bands[0].Lower", e.Key);
        Assert.Equal("Assessment.BandOverlap", e.Value.Code);
    }

    [Fact]
    public void Gaps_a_missing_zero_or_ten_and_duplicate_grades_are_refused_at_their_fields()
    {
        Assert.Equal("Assessment.BandGap", Scoring.Validate(Bands(("A", 9, 10), ("B", 6, 8), ("C", 0, 6)))["Bands[0].Lower"].Code);
        Assert.Equal("Assessment.BandGap", Scoring.Validate(Bands(("A", 5, 10), ("B", 1, 5)))["Bands[1].Lower"].Code);
        Assert.Equal("Assessment.BandGap", Scoring.Validate(Bands(("A", 5, 9), ("B", 0, 5)))["Bands[0].Upper"].Code);
        Assert.Equal("Assessment.GradeTaken", Scoring.Validate(Bands(("A", 5, 10), ("a", 0, 5)))["Bands[1].Grade"].Code);
        Assert.Equal("Assessment.UpperAboveLower", Scoring.Validate(Bands(("A", 5, 5), ("B", 0, 5)))["Bands[0].Upper"].Code);
        Assert.Equal("Assessment.BandsRequired", Scoring.Validate([])["Bands"].Code);
    }

    [Fact]
    public void Yearly_items_are_due_at_the_end_of_15_january_and_of_january_beijing_time()
    {
        Assert.Equal(AssessmentWorld.Beijing(2027, 1, 16), ReportKinds.RecurringDue(ReportKinds.AnnualSummaryPlan, 2027));
        Assert.Equal(AssessmentWorld.Beijing(2027, 2, 1), ReportKinds.RecurringDue(ReportKinds.TrainingOutline, 2027));
        var due = AssessmentWorld.Beijing(2027, 1, 16);
        Assert.Equal(ReportStatus.OnTime, ReportStatus.Of(due, due, due.AddDays(9)));
        Assert.Equal(ReportStatus.Late, ReportStatus.Of(due, due.AddSeconds(1), due.AddDays(9)));
        Assert.Equal(ReportStatus.Open, ReportStatus.Of(due, null, due));
        Assert.Equal(ReportStatus.Missing, ReportStatus.Of(due, null, due.AddSeconds(1)));
    }

    [Theory]
    [InlineData("2026", 2026, null)]
    [InlineData("2027-Q1", 2027, 1)]
    [InlineData("2027-Q4", 2027, 4)]
    public void Periods_are_years_or_quarters(string text, int year, int? quarter)
    {
        Assert.True(AssessmentPeriod.TryParse(text, out var p));
        Assert.Equal((year, quarter), (p.Year, p.Quarter));
        Assert.Equal(text, p.ToString());
    }

    [Theory]
    [InlineData("2027-Q5")]
    [InlineData("27")]
    [InlineData("2027-03")]
    [InlineData("")]
    public void Other_periods_are_refused(string text) => Assert.False(AssessmentPeriod.TryParse(text, out _));
}

public sealed class PeriodRangeTests
{
    [Theory]
    [InlineData(1999, null)]
    [InlineData(3000, null)]
    [InlineData(2027, 5)]
    public void A_period_outside_2000_to_2999_or_a_fifth_quarter_is_refused_at_the_period_field(int year, int? quarter) =>
        Assert.Equal("Assessment.BadPeriod",
            Assert.Throws<ServiceHub.Data.Infrastructure.ValidationFailedException>(() => new AssessmentPeriod(year, quarter).Checked()).Errors["Period"].Code);
}
