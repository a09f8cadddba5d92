using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Counting;

public sealed class WorkingDaysTests
{
    /// <summary>The 2026 calendar as seeded by sql/0030_counting.sql (the parts the tests need).</summary>
    private static readonly BusinessCalendar China2026 = new(
        [.. Days(2026, 10, 1, 7), .. Days(2026, 2, 15, 9), .. Days(2026, 1, 1, 3)],
        [new DateOnly(2026, 10, 10), new DateOnly(2026, 2, 14), new DateOnly(2026, 2, 28), new DateOnly(2026, 1, 4)]);

    private static IEnumerable<DateOnly> Days(int y, int m, int d, int n) => Enumerable.Range(0, n).Select(i => new DateOnly(y, m, d).AddDays(i));

    private static DateTimeOffset Beijing(int y, int m, int d, int h, int min = 0) => BusinessTime.FromLocal(new DateTime(y, m, d, h, min, 0));

    [Fact]
    public void Flagged_on_a_friday_the_report_is_due_on_monday_at_the_same_time()
    {
        // 2026-11-27 is a Friday.
        Assert.Equal(Beijing(2026, 11, 30, 15, 30), WorkingDays.AddOneWorkingDay(Beijing(2026, 11, 27, 15, 30), China2026));
    }

    [Fact]
    public void Flagged_before_the_national_day_holiday_the_report_is_due_on_the_first_working_day_after_it()
    {
        // Wednesday 30 September, then 1–7 October off; Thursday 8 October is a working day.
        Assert.Equal(Beijing(2026, 10, 8, 10), WorkingDays.AddOneWorkingDay(Beijing(2026, 9, 30, 10), China2026));
    }

    [Fact]
    public void A_make_up_working_day_on_a_saturday_counts_as_a_working_day()
    {
        // Friday 9 October → Saturday 10 October (调休 working day).
        Assert.Equal(Beijing(2026, 10, 10, 9), WorkingDays.AddOneWorkingDay(Beijing(2026, 10, 9, 9), China2026));
        // Friday 13 February → Saturday 14 February (调休 before the Spring Festival).
        Assert.Equal(Beijing(2026, 2, 14, 17), WorkingDays.AddOneWorkingDay(Beijing(2026, 2, 13, 17), China2026));
        // Without the calendar the same Friday would run to Monday.
        Assert.Equal(Beijing(2026, 10, 12, 9), WorkingDays.AddOneWorkingDay(Beijing(2026, 10, 9, 9), BusinessCalendar.WeekendsOnly));
    }

    [Fact]
    public void Flagged_on_a_rest_day_the_report_is_due_at_the_end_of_the_next_working_day()
    {
        // Saturday 28 November → all of Monday 30 November.
        Assert.Equal(Beijing(2026, 12, 1, 0), WorkingDays.AddOneWorkingDay(Beijing(2026, 11, 28, 11), China2026));
        // 3 October (holiday) → all of Thursday 8 October.
        Assert.Equal(Beijing(2026, 10, 9, 0), WorkingDays.AddOneWorkingDay(Beijing(2026, 10, 3, 11), China2026));
    }

    [Fact]
    public void The_day_is_taken_in_beijing_time_not_utc()
    {
        // Friday 2026-11-27 23:30 UTC is already Saturday 07:30 in Beijing: a rest day.
        var start = new DateTimeOffset(2026, 11, 27, 23, 30, 0, TimeSpan.Zero);
        Assert.Equal(Beijing(2026, 12, 1, 0), WorkingDays.AddOneWorkingDay(start, China2026));
    }

    [Fact]
    public void A_complaint_closes_only_with_a_root_cause()
    {
        Assert.False(ClosureRules.CanClose(null));
        Assert.True(ClosureRules.CanClose(7));
    }
}
