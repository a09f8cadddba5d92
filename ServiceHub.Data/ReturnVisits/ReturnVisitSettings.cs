namespace ServiceHub.Data.ReturnVisits;

/// <summary>The CS supervisor's return-visit rules as stored (one row), with the last assignee of the round robin.</summary>
public sealed record ReturnVisitSettings(string AssignRule, int DueHours, int MaxFailedAttempts, int ConsultationSamplePercent, int? LastAssigneeId);
