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

    public static readonly IReadOnlyList<string> All = [Disaster, FireExplosion, PublicSecurity, InjuryDeath, CompensationLoss, NegativeMedia];
}

/// <summary>Why a person got an alert; also the steps of the follow-up schedule.</summary>
public static class AlertReasons
{
    public const string Raised = "raised";
    public const string Reminder60 = "reminder_60";
    public const string Reminder90 = "reminder_90";
    public const string Escalated = "escalated";
}

/// <summary>What the reporter fills in on the emergency form.</summary>
public sealed class EmergencyReport
{
    public string Kind { get; set; } = "";
    /// <summary>For public-security incidents: the act was only attempted (盗窃未遂) — not first-class.</summary>
    public bool Attempted { get; set; }
    /// <summary>For compensation or property loss: the amount in yuan.</summary>
    public decimal? AmountYuan { get; set; }
    public int? ProjectId { get; set; }
    public int? BuildingId { get; set; }
    public string Location { get; set; } = "";
    /// <summary>When it happened (absolute instant).</summary>
    public DateTimeOffset? OccurredAt { get; set; }
    public string Description { get; set; } = "";
    public int? ResponsibleDepartmentId { get; set; }
}

/// <summary>What the manager finds on arriving on site (到达现场): cause, scope, basic response.</summary>
public sealed class ArrivalReport
{
    public string Cause { get; set; } = "";
    public string Scope { get; set; } = "";
    public string Response { get; set; } = "";
}

/// <summary>A refused field: <see cref="Field"/> names the form field, <see cref="Code"/> is a resource key.</summary>
public sealed record RuleViolation(string Field, string Code, params object[] Args);

/// <summary>
/// The manual's rules for first-class emergencies, in one place: what counts as first-class, and the two-hour on-site limit
/// with its reminders and escalation. Used by the form, the repository and the jobs alike.
/// </summary>
public static class EmergencyRules
{
    /// <summary>5000元以上: in Chinese usage 以上 includes the number itself.</summary>
    public const decimal LossThresholdYuan = 5000m;

    /// <summary>The responsible department manager must be on site within two hours.</summary>
    public static readonly TimeSpan OnSiteLimit = TimeSpan.FromHours(2);

    /// <summary>How far "when it happened" may lie in the future (clock skew between the reporter's watch and the server).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The follow-up schedule, counted from the report (when the manager is alerted): remind at 60 and 90 minutes, escalate at 2 hours.</summary>
    public static readonly IReadOnlyList<(string Step, TimeSpan After)> FollowUps =
    [
        (AlertReasons.Reminder60, TimeSpan.FromMinutes(60)),
        (AlertReasons.Reminder90, TimeSpan.FromMinutes(90)),
        (AlertReasons.Escalated, OnSiteLimit),
    ];

    public static TimeSpan FollowUpAfter(string step) =>
        FollowUps.FirstOrDefault(f => f.Step == step) is { Step: not null } f ? f.After : throw new ArgumentOutOfRangeException(nameof(step), step, null);

    public static DateTimeOffset OnSiteDue(DateTimeOffset reportedAt) => reportedAt + OnSiteLimit;

    /// <summary>Whether a loss or compensation of this amount is first-class (5000 yuan or more).</summary>
    public static bool IsFirstClassLoss(decimal amountYuan) => amountYuan >= LossThresholdYuan;

    /// <summary>Every refused field of a report; empty when the report is a first-class emergency that may be saved.</summary>
    public static IReadOnlyList<RuleViolation> Check(EmergencyReport r, DateTimeOffset now)
    {
        var errors = new List<RuleViolation>();
        if (!EmergencyKinds.All.Contains(r.Kind)) errors.Add(new("Kind", "Validation.Required"));
        if (r.Kind == EmergencyKinds.PublicSecurity && r.Attempted) errors.Add(new("Attempted", "Emergency.AttemptedNotFirstClass"));
        if (r.Kind == EmergencyKinds.CompensationLoss)
        {
            if (r.AmountYuan is null) errors.Add(new("AmountYuan", "Validation.Required"));
            else if (!IsFirstClassLoss(r.AmountYuan.Value)) errors.Add(new("AmountYuan", "Emergency.LossBelowThreshold", LossThresholdYuan));
        }
        if (r.ProjectId is null) errors.Add(new("ProjectId", "Validation.Required"));
        if (string.IsNullOrWhiteSpace(r.Location)) errors.Add(new("Location", "Validation.Required"));
        if (r.OccurredAt is null) errors.Add(new("OccurredAt", "Validation.Required"));
        else if (r.OccurredAt.Value > now + FutureTolerance) errors.Add(new("OccurredAt", "Emergency.OccurredInFuture"));
        if (string.IsNullOrWhiteSpace(r.Description)) errors.Add(new("Description", "Validation.Required"));
        if (r.ResponsibleDepartmentId is null) errors.Add(new("ResponsibleDepartmentId", "Validation.Required"));
        return errors;
    }

    public static IReadOnlyList<RuleViolation> Check(ArrivalReport a)
    {
        var errors = new List<RuleViolation>();
        if (string.IsNullOrWhiteSpace(a.Cause)) errors.Add(new("Cause", "Validation.Required"));
        if (string.IsNullOrWhiteSpace(a.Scope)) errors.Add(new("Scope", "Validation.Required"));
        if (string.IsNullOrWhiteSpace(a.Response)) errors.Add(new("Response", "Validation.Required"));
        return errors;
    }
}

public static class RuleViolations
{
    /// <summary>The common refusal of a form (one message per field, nothing written).</summary>
    public static ServiceHub.Data.Infrastructure.ValidationFailedException ToException(this IReadOnlyList<RuleViolation> violations) =>
        new(violations.GroupBy(v => v.Field).ToDictionary(g => g.Key, g => new ServiceHub.Data.Infrastructure.FieldError(g.First().Code, g.First().Args)));
}
