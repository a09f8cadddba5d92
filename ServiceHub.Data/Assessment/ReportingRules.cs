using System.Globalization;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Assessment;

/// <summary>The kinds of item on the reporting calendar (信息报送, DOMAIN.md §6).</summary>
public static class ReportKinds
{
    /// <summary>Each department's annual summary and plan (and mid/long-term plan): by 15 January.</summary>
    public const string AnnualSummaryPlan = "annual_summary_plan";
    /// <summary>The annual training outline: in January.</summary>
    public const string TrainingOutline = "training_outline";
    /// <summary>Instant information (即时信息): to the Enterprise Development Dept as it happens.</summary>
    public const string Instant = "instant";

    public static readonly IReadOnlyList<string> Recurring = [AnnualSummaryPlan, TrainingOutline];
    public static readonly IReadOnlyList<string> All = [AnnualSummaryPlan, TrainingOutline, Instant];

    /// <summary>
    /// The due time of a yearly item, in Beijing time. "每年1月15日前" is read as "on 15 January at the latest": a submission
    /// during 15 January is on time, so the item is due at the end of that day (16 January 00:00). "每年1月": by the end of January.
    /// </summary>
    public static DateTimeOffset RecurringDue(string kind, int year) => kind switch
    {
        AnnualSummaryPlan => BusinessTime.FromLocal(new DateTime(year, 1, 16)),
        TrainingOutline => BusinessTime.FromLocal(new DateTime(year, 2, 1)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Instant information is due a set number of hours (default 24, editable by an admin) after it occurred.</summary>
    public static DateTimeOffset InstantDue(DateTimeOffset occurredAt, int lagHours) => occurredAt.AddHours(lagHours);
}

/// <summary>Where an item stands at a moment.</summary>
public static class ReportStatus
{
    public const string Open = "open";
    public const string OnTime = "on_time";
    public const string Late = "late";
    public const string Missing = "missing";

    /// <summary>Submitted at or before the due time is on time; after it, late; nothing by the due time, missing (until submitted).</summary>
    public static string Of(DateTimeOffset dueAt, DateTimeOffset? submittedAt, DateTimeOffset now) => submittedAt switch
    {
        { } s when s <= dueAt => OnTime,
        { } => Late,
        null when now > dueAt => Missing,
        _ => Open,
    };

    /// <summary>Late and missing items are the ones that cost points.</summary>
    public static bool Deducts(string status) => status is Late or Missing;
}

/// <summary>Who does what on the calendar and the assessment (DOMAIN.md §6).</summary>
public static class ReportingRoles
{
    /// <summary>The Enterprise Development Dept receives the information; its code in <c>departments</c>.</summary>
    public const string EnterpriseDevelopmentCode = "ED";

    /// <summary>The Enterprise Management Dept sets the unified reporting formats; its code in <c>departments</c>.</summary>
    public const string EnterpriseManagementCode = "EM";
}

/// <summary>What an actor may do here, worked out on the server from their roles and department.</summary>
public sealed record ReportingAccess(bool ReadAll, bool Administer, bool EditRules, int? OwnDepartmentId)
{
    /// <summary>Issues and revises the unified reporting formats: the Enterprise Management Dept's managers and admins.</summary>
    public bool IssueFormats { get; init; }

    public bool Any => ReadAll || OwnDepartmentId is not null;

    public bool MayRead(int departmentId) => ReadAll || OwnDepartmentId == departmentId;

    public bool MaySubmit(int departmentId) => Administer || OwnDepartmentId == departmentId;

    public static ReportingAccess For(Actor actor, string? departmentCode)
    {
        var staff = actor.IsIn(Access.DepartmentStaff) && actor.DepartmentId is not null;
        var ed = staff && departmentCode == ReportingRoles.EnterpriseDevelopmentCode;
        var admin = actor.IsIn(Roles.Admin);
        var emManager = actor.IsIn([Roles.DeptManager]) && actor.DepartmentId is not null && departmentCode == ReportingRoles.EnterpriseManagementCode;
        return new ReportingAccess(
            ReadAll: ed || actor.IsIn(Access.EveryDepartmentsReporting),
            Administer: ed || admin,
            EditRules: admin,
            OwnDepartmentId: staff ? actor.DepartmentId : null)
        {
            IssueFormats = actor.IsIn(Access.ReportFormatIssuers) && (admin || emManager),
        };
    }
}

/// <summary>
/// An assessment period: a calendar year ("2026", the default: the calendar's recurring items are yearly) or a quarter
/// ("2026-Q1") for interim review, in Beijing time. An item belongs to the period in which it falls due.
/// </summary>
public sealed record AssessmentPeriod(int Year, int? Quarter)
{
    public static bool TryParse(string? text, out AssessmentPeriod period)
    {
        period = new AssessmentPeriod(0, null);
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text.Trim().Split("-Q");
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 2000 or > 2999) return false;
        if (parts.Length == 1) { period = new AssessmentPeriod(year, null); return true; }
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var q) && q is >= 1 and <= 4)
        {
            period = new AssessmentPeriod(year, q);
            return true;
        }
        return false;
    }

    /// <summary>Refuses a year outside 2000–2999 (or a quarter outside 1–4) with a message at the period field.</summary>
    public AssessmentPeriod Checked() => Year is >= 2000 and <= 2999 && Quarter is null or (>= 1 and <= 4)
        ? this
        : throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Period"] = new("Assessment.BadPeriod") });

    public static AssessmentPeriod Parse(string text) =>
        TryParse(text, out var p) ? p : throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Period"] = new("Assessment.BadPeriod") });

    public DateOnly FirstDay => new(Year, Quarter is { } q ? (q - 1) * 3 + 1 : 1, 1);
    public DateOnly EndDay => Quarter is null ? FirstDay.AddYears(1) : FirstDay.AddMonths(3);

    public (DateTimeOffset Start, DateTimeOffset End) Bounds =>
        (BusinessTime.FromLocal(FirstDay.ToDateTime(TimeOnly.MinValue)), BusinessTime.FromLocal(EndDay.ToDateTime(TimeOnly.MinValue)));

    public override string ToString() => Quarter is { } q ? $"{Year}-Q{q}" : Year.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A deduction rule of the ten-point scale.</summary>
public sealed record AssessmentRule(string Code, string Name, string NameEn, string Source, decimal Points, decimal? Cap, bool IsActive, int SortOrder)
{
    public string DisplayName(bool english) => english ? NameEn : Name;
}

/// <summary>Where a rule's occurrences come from: the calendar (automatically) or recorded by the Enterprise Development Dept.</summary>
public static class RuleSources
{
    public const string InstantLate = "instant_late";
    public const string AnnualSummaryPlan = ReportKinds.AnnualSummaryPlan;
    public const string TrainingOutline = ReportKinds.TrainingOutline;
    public const string Manual = "manual";

    /// <summary>The calendar kind whose late or missing items are this source's occurrences (null: manual).</summary>
    public static string? Kind(string source) => source switch
    {
        InstantLate => ReportKinds.Instant,
        AnnualSummaryPlan or TrainingOutline => source,
        _ => null,
    };
}

/// <summary>A grade band: lower bound inclusive, upper bound exclusive, except a band ending at 10, which includes 10.</summary>
public sealed record GradeBand(string Grade, decimal LowerBound, decimal UpperBound)
{
    public bool Contains(decimal score) => score >= LowerBound && (score < UpperBound || (UpperBound == Scoring.FullMarks && score == UpperBound));
}

public sealed class GradeBandEdit
{
    /// <summary>The longest grade name (CHECK in sql/0160).</summary>
    public const int GradeMax = 20;

    public string Grade { get; set; } = "";
    public decimal LowerBound { get; set; }
    public decimal UpperBound { get; set; }
}

/// <summary>The ten-point scale (十分制) as pure functions.</summary>
public static class Scoring
{
    public const decimal FullMarks = 10m;

    /// <summary>A rule's deduction: points per occurrence, no more than its cap.</summary>
    public static decimal Deduction(AssessmentRule rule, int occurrences)
    {
        var d = rule.Points * occurrences;
        return rule.Cap is { } cap && d > cap ? cap : d;
    }

    /// <summary>Ten minus the deductions, never below 0.</summary>
    public static decimal Total(IEnumerable<decimal> deductions) => Math.Max(0m, FullMarks - deductions.Sum());

    public static string? Grade(IEnumerable<GradeBand> bands, decimal score) => bands.FirstOrDefault(b => b.Contains(score))?.Grade;

    /// <summary>Points as people write them: 8, 7.5, 0.25.</summary>
    public static string N(decimal points) => points.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// Bands must cover 0–10 without gap or overlap: sorted by lower bound, the first starts at 0, each starts where the previous
    /// ends, the last ends at 10. Errors name the field (<c>Bands[i].Lower</c>, <c>Bands[i].Upper</c>, <c>Bands[i].Grade</c>, index in the given list).
    /// </summary>
    public static IReadOnlyDictionary<string, FieldError> Validate(IReadOnlyList<GradeBandEdit> bands)
    {
        var errors = new Dictionary<string, FieldError>();
        if (bands.Count == 0)
        {
            errors["Bands"] = new FieldError("Assessment.BandsRequired");
            return errors;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < bands.Count; i++)
        {
            var b = bands[i];
            if (TextInput.Error(b.Grade, GradeBandEdit.GradeMax) is { } error) errors[$"Bands[{i}].Grade"] = error;
            else if (!seen.Add(b.Grade.Trim())) errors[$"Bands[{i}].Grade"] = new FieldError("Assessment.GradeTaken", b.Grade.Trim());
            if (b.LowerBound < 0 || b.LowerBound >= FullMarks) errors[$"Bands[{i}].Lower"] = new FieldError("Assessment.BoundRange");
            if (b.UpperBound <= 0 || b.UpperBound > FullMarks) errors[$"Bands[{i}].Upper"] = new FieldError("Assessment.BoundRange");
            else if (b.UpperBound <= b.LowerBound) errors[$"Bands[{i}].Upper"] = new FieldError("Assessment.UpperAboveLower");
        }
        if (errors.Count > 0) return errors;

        var order = Enumerable.Range(0, bands.Count).OrderBy(i => bands[i].LowerBound).ToList();
        if (bands[order[0]].LowerBound != 0) errors[$"Bands[{order[0]}].Lower"] = new FieldError("Assessment.BandGap", N(0m), N(bands[order[0]].LowerBound));
        for (var k = 1; k < order.Count; k++)
        {
            var prev = bands[order[k - 1]];
            var cur = bands[order[k]];
            if (cur.LowerBound < prev.UpperBound)
                errors[$"Bands[{order[k]}].Lower"] = new FieldError("Assessment.BandOverlap", prev.Grade.Trim(), N(prev.LowerBound), N(prev.UpperBound));
            else if (cur.LowerBound > prev.UpperBound)
                errors[$"Bands[{order[k]}].Lower"] = new FieldError("Assessment.BandGap", N(prev.UpperBound), N(cur.LowerBound));
        }
        var last = bands[order[^1]];
        if (last.UpperBound != FullMarks && !errors.ContainsKey($"Bands[{order[^1]}].Upper"))
            errors[$"Bands[{order[^1]}].Upper"] = new FieldError("Assessment.BandGap", N(last.UpperBound), N(FullMarks));
        return errors;
    }
}
