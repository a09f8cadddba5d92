namespace ServiceHub.Data.Counting;

/// <summary>A year whose calendar has been loaded as a whole: when, by whom (null = a migration), how many days.</summary>
public sealed record CalendarYear(int Year, DateTimeOffset LoadedAt, string? LoadedByName, int Days);

/// <summary>
/// Which year lacks its calendar (issue #11 point 12). Without one, a year falls back to weekends only (<see cref="BusinessCalendar"/>):
/// its public holidays would count as working days and its make-up working days as rest days. That must not happen silently: from
/// <see cref="WarnDaysBefore"/> days before such a year (2 November 2026 for 2027), and throughout it, the admin is warned on the home page
/// and the hot-complaint due dates carry a warning, until the admin loads the year.
/// </summary>
public static class CalendarCoverage
{
    public const int WarnDaysBefore = 60;

    /// <summary>The first day of the warning for <paramref name="year"/>: 60 days before its 1 January.</summary>
    public static DateOnly WarnFrom(int year) => new DateOnly(year, 1, 1).AddDays(-WarnDaysBefore);

    /// <summary>
    /// The year without a calendar that matters on <paramref name="today"/> (business date): this year when it has none, else next year
    /// from <see cref="WarnFrom"/> on; null when there is none.
    /// </summary>
    public static int? MissingYear(DateOnly today, IReadOnlySet<int> loadedYears)
    {
        if (!loadedYears.Contains(today.Year)) return today.Year;
        var next = today.Year + 1;
        return today >= WarnFrom(next) && !loadedYears.Contains(next) ? next : null;
    }
}
