using System.Globalization;

namespace ServiceHub.Data.Infrastructure;

/// <summary>
/// A calendar month in business time (Asia/Shanghai), written "2026-11": the period of penalties, spot checks, return-visit
/// analyses and the dashboard. <see cref="Start"/> and <see cref="End"/> are the instants [start, end) it covers, in UTC as stored.
/// </summary>
public readonly record struct Month : IComparable<Month>
{
    /// <summary>The earliest year a month may name (nothing in ServiceHub is older).</summary>
    public const int FirstYear = 2000;

    /// <summary>The length of a month as typed, "2026-11" (the longest input a month field takes).</summary>
    public const int TextLength = 7;

    public int Year { get; }
    public int Number { get; }

    public Month(int year, int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, FirstYear);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9998);
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 12);
        (Year, Number) = (year, number);
    }

    /// <summary>The month in Beijing that contains <paramref name="instant"/>.</summary>
    public static Month Of(DateTimeOffset instant)
    {
        var local = BusinessTime.ToLocal(instant);
        return new(local.Year, local.Month);
    }

    /// <summary>The month that contains <paramref name="day"/> (a business day).</summary>
    public static Month Of(DateOnly day) => new(day.Year, day.Month);

    /// <summary>This month in Beijing.</summary>
    public static Month Current(TimeProvider clock) => Of(clock.GetUtcNow());

    /// <summary>Reads "yyyy-MM"; false for anything else (a user's input, a query string).</summary>
    public static bool TryParse(string? text, out Month month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || year < FirstYear || number is < 1 or > 12)
            return false;
        month = new(year, number);
        return true;
    }

    /// <summary>Reads "yyyy-MM"; throws on anything else.</summary>
    public static Month Parse(string text) =>
        TryParse(text, out var month) ? month : throw new FormatException($"'{text}' is not a month (yyyy-MM)");

    /// <summary>Whether <paramref name="text"/> names a month ("yyyy-MM").</summary>
    public static bool IsValid(string? text) => TryParse(text, out _);

    /// <summary>The first day of the month.</summary>
    public DateOnly FirstDay => new(Year, Number, 1);

    /// <summary>Midnight in Beijing at the start of the month, as a UTC instant.</summary>
    public DateTimeOffset Start => BusinessTime.FromLocal(FirstDay.ToDateTime(TimeOnly.MinValue));

    /// <summary>Midnight in Beijing at the start of the next month, as a UTC instant (the end is exclusive).</summary>
    public DateTimeOffset End => Next.Start;

    public Month Next => AddMonths(1);
    public Month Previous => AddMonths(-1);

    public Month AddMonths(int months) => Of(FirstDay.AddMonths(months));

    public int CompareTo(Month other) => (Year, Number).CompareTo((other.Year, other.Number));

    public static bool operator <(Month a, Month b) => a.CompareTo(b) < 0;
    public static bool operator >(Month a, Month b) => a.CompareTo(b) > 0;
    public static bool operator <=(Month a, Month b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Month a, Month b) => a.CompareTo(b) >= 0;

    /// <summary>"2026-11".</summary>
    public override string ToString() => $"{Year:D4}-{Number:D2}";
}
