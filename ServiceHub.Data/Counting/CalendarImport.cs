using System.Globalization;

namespace ServiceHub.Data.Counting;

/// <summary>A line of a pasted or uploaded calendar that cannot be loaded: its number as the admin sees it (1-based) and why.</summary>
public sealed record CalendarLineError(int Line, string Code, params object[] Args);

/// <summary>A year's calendar read from text, and what is wrong with it (<see cref="Line"/> 0 = the text as a whole).</summary>
public sealed record CalendarImportResult(IReadOnlyList<CalendarDay> Days, IReadOnlyList<CalendarLineError> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// A year's public holidays and make-up working days as the admin pastes or uploads them (issue #11 point 12): one line per day,
/// <c>date, kind, name</c>, separated by tabs (TSV, as copied from a spreadsheet) or commas (CSV). The date as 2027-01-01 (or 2027/1/1);
/// the kind as holiday/休/放假 or workday/班/上班; the name as the notice calls the festival. Blank lines, lines starting with #, and a
/// header line are skipped. Every line is checked and every error reported with its line number; nothing is loaded unless all are right.
/// </summary>
public static class CalendarImport
{
    public const int MaxLength = 20_000;
    public const int MaxLines = 200;
    public const int MaxNameLength = 50;

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-M-d", "yyyy/M/d", "yyyy/MM/dd", "yyyy.M.d", "yyyyMMdd"];

    private static readonly Dictionary<string, string> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["holiday"] = CalendarDayKinds.Holiday, ["休"] = CalendarDayKinds.Holiday, ["假"] = CalendarDayKinds.Holiday,
        ["放假"] = CalendarDayKinds.Holiday, ["节假日"] = CalendarDayKinds.Holiday, ["休息日"] = CalendarDayKinds.Holiday,
        ["workday"] = CalendarDayKinds.Workday, ["working day"] = CalendarDayKinds.Workday, ["班"] = CalendarDayKinds.Workday,
        ["上班"] = CalendarDayKinds.Workday, ["补班"] = CalendarDayKinds.Workday, ["调休上班"] = CalendarDayKinds.Workday,
        ["工作日"] = CalendarDayKinds.Workday,
    };

    private static readonly HashSet<string> HeaderWords = new(StringComparer.OrdinalIgnoreCase) { "date", "day", "日期" };

    public static CalendarImportResult Parse(int year, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new([], [new(0, "Counting.Calendar.Import.Empty")]);
        if (text.Length > MaxLength) return new([], [new(0, "Validation.TooLong", MaxLength)]);
        if (text.Contains('\0')) return new([], [new(0, "Validation.NulCharacter")]);
        var days = new List<CalendarDay>();
        var errors = new List<CalendarLineError>();
        var lineOf = new Dictionary<DateOnly, int>();
        var dataLines = 0;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var fields = Fields(line);
            if (dataLines == 0 && errors.Count == 0 && HeaderWords.Contains(fields[0])) continue;
            if (++dataLines > MaxLines) return new([], [new(0, "Counting.Calendar.Import.TooManyLines", MaxLines)]);
            var number = i + 1;
            var (day, error) = Read(year, number, fields);
            if (error is null && lineOf.TryGetValue(day.Day, out var earlier))
                error = new(number, "Counting.Calendar.Import.Duplicate", Iso(day.Day), earlier);
            if (error is not null)
            {
                errors.Add(error);
                continue;
            }
            lineOf[day.Day] = number;
            days.Add(day);
        }
        if (dataLines == 0) errors.Add(new(0, "Counting.Calendar.Import.Empty"));
        else if (errors.Count == 0 && days.All(d => d.Kind != CalendarDayKinds.Holiday)) errors.Add(new(0, "Counting.Calendar.Import.NoHoliday", year));
        return errors.Count > 0 ? new([], errors) : new(days.OrderBy(d => d.Day).ToList(), []);
    }

    /// <summary>Tab-separated when the line has a tab, else comma-separated (half- or full-width); the name keeps any further separators.</summary>
    private static string[] Fields(string line)
    {
        var parts = line.Contains('\t') ? line.Split('\t', 3) : line.Split([',', '，'], 3);
        return [.. parts.Select(p => p.Trim().Trim('"').Trim())];
    }

    private static (CalendarDay Day, CalendarLineError? Error) Read(int year, int number, string[] f)
    {
        CalendarDay none = new(default, "", "");
        if (f.Length < 3) return (none, new(number, "Counting.Calendar.Import.Fields"));
        if (!DateOnly.TryParseExact(f[0], DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return (none, new(number, "Counting.Calendar.Import.Date", f[0]));
        if (day.Year != year) return (none, new(number, "Counting.Calendar.Import.OtherYear", Iso(day), year));
        if (!Kinds.TryGetValue(f[1], out var kind)) return (none, new(number, "Counting.Calendar.Import.Kind", f[1]));
        if (f[2].Length == 0) return (none, new(number, "Counting.Calendar.Import.Name"));
        if (f[2].Length > MaxNameLength) return (none, new(number, "Counting.Calendar.Import.NameTooLong", MaxNameLength));
        // A make-up working day (调休) is a weekend day worked; on a weekday it changes nothing and is most likely a typo.
        if (kind == CalendarDayKinds.Workday && day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            return (none, new(number, "Counting.Calendar.Import.WorkdayOnWeekday", Iso(day)));
        return (new CalendarDay(day, kind, f[2]), null);
    }

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
