namespace ServiceHub.Data.Emergencies;

/// <summary>The manual's kinds of first-class emergency (一类突发事件, DOMAIN.md §7). Stored as text.</summary>
public static class EmergencyKinds
{
    /// <summary>红线范围内的灾祸</summary>
    public const string Disaster = "disaster";
    /// <summary>公共区域或房屋相邻部位的火灾、爆炸</summary>
    public const string FireExplosion = "fire_explosion";
    /// <summary>治安、刑事案件（如盗窃；盗窃未遂不算）</summary>
    public const string PublicSecurity = "public_security";
    /// <summary>非正常伤亡</summary>
    public const string InjuryDeath = "injury_death";
    /// <summary>公司责任赔偿或公司财产损失 5000 元以上</summary>
    public const string CompensationLoss = "compensation_loss";
    /// <summary>公众媒体负面报道</summary>
    public const string NegativeMedia = "negative_media";
    /// <summary>The manual's list ends with 等: another first-class event, described by the reporter, confirmed by the CS supervisor.</summary>
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Disaster, FireExplosion, PublicSecurity, InjuryDeath, CompensationLoss, NegativeMedia, Other];

    /// <summary>Whether the CS supervisor must confirm that an emergency of this kind is first-class (only the open end of the list).</summary>
    public static bool NeedsConfirmation(string kind) => kind == Other;
}

/// <summary>The CS supervisor's decision on an "other" event (<c>emergencies.confirmation</c>); null for the listed kinds.</summary>
public static class EmergencyConfirmations
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string NotFirstClass = "not_first_class";
}

/// <summary>Why a person got an alert; also the steps of the follow-up schedule.</summary>
public static class AlertReasons
{
    public const string Raised = "raised";
    public const string Reminder60 = "reminder_60";
    public const string Reminder90 = "reminder_90";
    public const string Escalated = "escalated";
    /// <summary>To the CS supervisors: confirm whether an "other" event is first-class.</summary>
    public const string Confirm = "confirm";
}

/// <summary>
/// Each person's own alert id (what their screen shows once and acknowledges). An emergency's alerts of one reason are stored as one
/// row naming the people alerted, in order (<c>emergency_alert_batches</c>, sql/0260); a person's alert id is the row's id ×
/// <see cref="PerBatch"/> + their position in it, from 1.
/// </summary>
public static class AlertIds
{
    public const long PerBatch = 100_000;

    /// <summary>The most people one alert row holds (the database checks it too).</summary>
    public const int MaxPeople = (int)PerBatch - 1;

    public static long Of(long batchId, int position) =>
        position is >= 1 and <= MaxPeople ? batchId * PerBatch + position : throw new ArgumentOutOfRangeException(nameof(position));

    public static (long BatchId, int Position) Split(long alertId) => (alertId / PerBatch, (int)(alertId % PerBatch));
}

/// <summary>What the reporter fills in on the emergency form.</summary>
public sealed class EmergencyReport
{
    public string Kind { get; set; } = "";
    /// <summary>For an "other" event: what kind of event it is (required, short).</summary>
    public string KindDetail { get; set; } = "";
    /// <summary>For public-security incidents: the act was only attempted (盗窃未遂) — not first-class.</summary>
    public bool Attempted { get; set; }
    /// <summary>For compensation or property loss: the amount in yuan.</summary>
    public decimal? AmountYuan { get; set; }
    public int? ProjectId { get; set; }
    public int? BuildingId { get; set; }
    public string Location { get; set; } = "";
    /// <summary>When it happened (absolute instant): the two-hour on-site limit counts from here.</summary>
    public DateTimeOffset? OccurredAt { get; set; }
    public string Description { get; set; } = "";
    public int? ResponsibleDepartmentId { get; set; }
}

/// <summary>What the manager finds out on site (查明事件原因、影响范围和基本处置情况); may be saved after the arrival, and again.</summary>
public sealed class EmergencyFindings
{
    public string Cause { get; set; } = "";
    public string Scope { get; set; } = "";
    public string Response { get; set; } = "";
}

/// <summary>How late an emergency was reported, measured against the follow-up schedule that runs from the occurrence.</summary>
public enum ReportLateness
{
    /// <summary>Reported before the first reminder was due.</summary>
    None,
    /// <summary>Reported after the 60-minute reminder was due: the manager learns of it already behind.</summary>
    AfterReminder,
    /// <summary>Reported when the two hours had passed: escalated at once.</summary>
    AfterLimit,
}

/// <summary>A refused field: <see cref="Field"/> names the form field, <see cref="Code"/> is a resource key.</summary>
public sealed record RuleViolation(string Field, string Code, params object[] Args);

/// <summary>
/// The manual's rules for first-class emergencies, in one place: what counts as first-class, and the two-hour on-site limit
/// (counted from the occurrence, 发生…后…2小时内) with its reminders and escalation. Used by the form, the repository and the jobs alike.
/// </summary>
public static class EmergencyRules
{
    /// <summary>5000元以上: in Chinese usage 以上 includes the number itself.</summary>
    public const decimal LossThresholdYuan = 5000m;

    /// <summary>The responsible department manager must be on site within two hours of the event.</summary>
    public static readonly TimeSpan OnSiteLimit = TimeSpan.FromHours(2);

    /// <summary>How far "when it happened" may lie in the future (clock skew between the reporter's watch and the server).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Length limits of the fields (characters).</summary>
    public const int KindDetailMax = 50, LocationMax = 200, DescriptionMax = 2000, FindingMax = 1000, ConfirmationNoteMax = 500;

    /// <summary>
    /// The follow-up schedule, counted from the occurrence: remind the manager at 60 and 90 minutes, escalate at 2 hours.
    /// A step already due when the emergency is reported happens at once (a report after two hours is escalated at once).
    /// </summary>
    public static readonly IReadOnlyList<(string Step, TimeSpan After)> FollowUps =
    [
        (AlertReasons.Reminder60, TimeSpan.FromMinutes(60)),
        (AlertReasons.Reminder90, TimeSpan.FromMinutes(90)),
        (AlertReasons.Escalated, OnSiteLimit),
    ];

    public static TimeSpan FollowUpAfter(string step) =>
        FollowUps.FirstOrDefault(f => f.Step == step) is { Step: not null } f ? f.After : throw new ArgumentOutOfRangeException(nameof(step), step, null);

    /// <summary>The on-site deadline: two hours after the event happened.</summary>
    public static DateTimeOffset OnSiteDue(DateTimeOffset occurredAt) => occurredAt + OnSiteLimit;

    /// <summary>The follow-ups already due at <paramref name="now"/> for an event that happened at <paramref name="occurredAt"/>.</summary>
    public static IEnumerable<string> FollowUpsDue(DateTimeOffset occurredAt, DateTimeOffset now) =>
        FollowUps.Where(f => occurredAt + f.After <= now).Select(f => f.Step);

    /// <summary>How long after the event it was reported (never negative: "happened" may lie a little after the report, clock skew).</summary>
    public static TimeSpan ReportDelay(DateTimeOffset occurredAt, DateTimeOffset reportedAt) =>
        reportedAt > occurredAt ? reportedAt - occurredAt : TimeSpan.Zero;

    public static ReportLateness Lateness(DateTimeOffset occurredAt, DateTimeOffset reportedAt) => ReportDelay(occurredAt, reportedAt) switch
    {
        var d when d >= OnSiteLimit => ReportLateness.AfterLimit,
        var d when d >= FollowUps[0].After => ReportLateness.AfterReminder,
        _ => ReportLateness.None,
    };

    /// <summary>Whether the manager was on site within the two hours (the deadline itself included).</summary>
    public static bool IsOnTime(DateTimeOffset arrivedAt, DateTimeOffset onSiteDueAt) => arrivedAt <= onSiteDueAt;

    /// <summary>Whether a loss or compensation of this amount is first-class (5000 yuan or more).</summary>
    public static bool IsFirstClassLoss(decimal amountYuan) => amountYuan >= LossThresholdYuan;

    /// <summary>Every refused field of a report; empty when the report is a first-class emergency that may be saved.</summary>
    public static IReadOnlyList<RuleViolation> Check(EmergencyReport r, DateTimeOffset now)
    {
        var errors = new List<RuleViolation>();
        if (!EmergencyKinds.All.Contains(r.Kind)) errors.Add(new("Kind", "Validation.Required"));
        if (r.Kind == EmergencyKinds.Other) Text(errors, "KindDetail", r.KindDetail, KindDetailMax);
        if (r.Kind == EmergencyKinds.PublicSecurity && r.Attempted) errors.Add(new("Attempted", "Emergency.AttemptedNotFirstClass"));
        if (r.Kind == EmergencyKinds.CompensationLoss)
        {
            if (r.AmountYuan is null) errors.Add(new("AmountYuan", "Validation.Required"));
            else if (!IsFirstClassLoss(r.AmountYuan.Value)) errors.Add(new("AmountYuan", "Emergency.LossBelowThreshold", LossThresholdYuan));
        }
        if (r.ProjectId is null) errors.Add(new("ProjectId", "Validation.Required"));
        Text(errors, "Location", r.Location, LocationMax);
        if (r.OccurredAt is null) errors.Add(new("OccurredAt", "Validation.Required"));
        else if (r.OccurredAt.Value > now + FutureTolerance) errors.Add(new("OccurredAt", "Emergency.OccurredInFuture"));
        Text(errors, "Description", r.Description, DescriptionMax);
        if (r.ResponsibleDepartmentId is null) errors.Add(new("ResponsibleDepartmentId", "Validation.Required"));
        return errors;
    }

    /// <summary>The arrival time: not in the future, not before the event happened.</summary>
    public static IReadOnlyList<RuleViolation> CheckArrival(DateTimeOffset arrivedAt, DateTimeOffset occurredAt, DateTimeOffset now)
    {
        if (arrivedAt > now) return [new("ArrivedAt", "Emergency.ArrivedInFuture")];
        if (arrivedAt < occurredAt) return [new("ArrivedAt", "Emergency.ArrivedBeforeOccurrence")];
        return [];
    }

    public static IReadOnlyList<RuleViolation> Check(EmergencyFindings f)
    {
        var errors = new List<RuleViolation>();
        Text(errors, "Cause", f.Cause, FindingMax);
        Text(errors, "Scope", f.Scope, FindingMax);
        Text(errors, "Response", f.Response, FindingMax);
        return errors;
    }

    /// <summary>The CS supervisor's decision: a reason is required when the event is judged not first-class.</summary>
    public static IReadOnlyList<RuleViolation> CheckConfirmation(bool firstClass, string? note)
    {
        var errors = new List<RuleViolation>();
        if (!firstClass || !string.IsNullOrWhiteSpace(note)) Text(errors, "Note", note, ConfirmationNoteMax);
        return errors;
    }

    private static void Text(List<RuleViolation> errors, string field, string? value, int max)
    {
        if (ServiceHub.Data.Infrastructure.TextInput.Error(value, max) is { } error) errors.Add(new(field, error.Code, error.Args));
    }
}

public static class RuleViolations
{
    /// <summary>The common refusal of a form (one message per field, nothing written).</summary>
    public static ServiceHub.Data.Infrastructure.ValidationFailedException ToException(this IReadOnlyList<RuleViolation> violations) =>
        new(violations.GroupBy(v => v.Field).ToDictionary(g => g.Key, g => new ServiceHub.Data.Infrastructure.FieldError(g.First().Code, g.First().Args)));
}
