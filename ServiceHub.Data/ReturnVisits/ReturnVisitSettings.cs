namespace ServiceHub.Data.ReturnVisits;

/// <summary>
/// The CS supervisor's return-visit rules as stored (one row), with the last assignee of the round robin. <see cref="UnreachableAfterDays"/>:
/// on how many different business days attempts must have failed before the return-visit lead may close a task as unreachable.
/// </summary>
public sealed record ReturnVisitSettings(string AssignRule, int DueHours, int MaxFailedAttempts, int ConsultationSamplePercent, int? LastAssigneeId,
    int UnreachableAfterDays = Unreachable.DefaultAfterDays);
