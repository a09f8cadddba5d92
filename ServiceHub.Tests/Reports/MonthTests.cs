using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>The one month type: a calendar month in Beijing time, the period of penalties, analyses and the dashboard.</summary>
public sealed class MonthTests
{
    [Fact]
    public void A_month_runs_from_midnight_in_beijing_to_the_next_months_midnight()
    {
        var november = new Month(2026, 11);
        Assert.Equal(new DateTimeOffset(2026, 10, 31, 16, 0, 0, TimeSpan.Zero), november.Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), november.End);
        Assert.Equal(new DateOnly(2026, 11, 1), november.FirstDay);
    }

    [Fact]
    public void The_month_of_an_instant_is_its_month_in_beijing_not_in_utc()
    {
        Assert.Equal(new Month(2026, 12), Month.Of(new DateTimeOffset(2026, 11, 30, 16, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new Month(2026, 11), Month.Of(new DateTimeOffset(2026, 11, 30, 15, 59, 0, TimeSpan.Zero)));
        Assert.Equal(new Month(2026, 11), Month.Current(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero))));
    }

    [Fact]
    public void A_month_is_written_and_read_as_year_dash_month()
    {
        Assert.Equal("2026-03", new Month(2026, 3).ToString());
        Assert.Equal(new Month(2026, 3), Month.Parse("2026-03"));
        Assert.True(Month.IsValid("2026-12"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("2026-1")]
    [InlineData("26-11")]
    [InlineData("2026/11")]
    [InlineData("1999-12")]
    [InlineData("+026-11")]
    public void Anything_else_is_not_a_month(string? text)
    {
        Assert.False(Month.TryParse(text, out _));
        Assert.False(Month.IsValid(text));
    }

    [Fact]
    public void Months_step_across_the_year_and_compare_in_order()
    {
        Assert.Equal(new Month(2027, 1), new Month(2026, 12).Next);
        Assert.Equal(new Month(2025, 12), new Month(2026, 1).Previous);
        Assert.Equal(new Month(2025, 12), new Month(2026, 11).AddMonths(-11));
        Assert.True(new Month(2026, 2) > new Month(2025, 12));
        Assert.True(new Month(2026, 2) <= new Month(2026, 2));
    }
}
