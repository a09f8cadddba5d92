using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>
/// The business calendar: Saturdays and Sundays are rest days, public holidays are rest days, and the make-up working days
/// (调休) China announces are working days even on a weekend.
/// </summary>
public sealed class BusinessCalendar(IEnumerable<DateOnly> holidays, IEnumerable<DateOnly> makeUpWorkdays)
{
    private readonly HashSet<DateOnly> _holidays = [.. holidays];
    private readonly HashSet<DateOnly> _workdays = [.. makeUpWorkdays];

    public static readonly BusinessCalendar WeekendsOnly = new([], []);

    public bool IsWorkingDay(DateOnly day) =>
        _workdays.Contains(day) || (!_holidays.Contains(day) && day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

    public DateOnly NextWorkingDay(DateOnly after)
    {
        var d = after.AddDays(1);
        for (var i = 0; i < 366 && !IsWorkingDay(d); i++) d = d.AddDays(1);
        return d;
    }
}

/// <summary>Working-day arithmetic in business time (Asia/Shanghai).</summary>
public static class WorkingDays
{
    /// <summary>
    /// One working day after <paramref name="start"/>: the same time of day on the next working day. Started on a rest day, the
    /// working day is the first working day that follows, so the time is due at its end (00:00 of the day after it).
    /// </summary>
    public static DateTimeOffset AddOneWorkingDay(DateTimeOffset start, BusinessCalendar calendar)
    {
        var local = BusinessTime.ToLocal(start);
        var day = DateOnly.FromDateTime(local.DateTime);
        if (calendar.IsWorkingDay(day))
        {
            var next = calendar.NextWorkingDay(day);
            return BusinessTime.FromLocal(next.ToDateTime(TimeOnly.FromDateTime(local.DateTime))).ToUniversalTime();
        }
        var first = calendar.NextWorkingDay(day);
        return BusinessTime.FromLocal(first.AddDays(1).ToDateTime(TimeOnly.MinValue)).ToUniversalTime();
    }

    /// <summary>
    /// <paramref name="days"/> working days after <paramref name="start"/>, one working day at a time (<see cref="AddOneWorkingDay"/>):
    /// the same time of day on the n-th working day that follows; started on a rest day, at the end of the n-th working day.
    /// </summary>
    public static DateTimeOffset AddWorkingDays(DateTimeOffset start, int days, BusinessCalendar calendar)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        var due = start;
        for (var i = 0; i < days; i++) due = AddOneWorkingDay(due, calendar);
        return due;
    }
}
