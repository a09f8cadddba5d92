namespace ServiceHub.Data.ReturnVisits;

/// <summary>One task with its complaint or consultation, as the task page shows it (the phone masked).</summary>
public sealed record TaskDetail(
    long Id, string Kind, long? ComplaintId, string? SheetNo, long? ContactId, string? RegisterNo, int CustomerId, string CustomerName, string CustomerPhone,
    string? DepartmentName, string? DepartmentNameEn, string State, int? AssigneeId, string? AssigneeName, DateTimeOffset DueAt, DateTimeOffset ScheduledAt, DateTimeOffset? CallbackAt,
    int FailedAttempts, string? Outcome, string? CustomerWords, bool ClosurePending, DateTimeOffset? CompletedAt,
    string Content, string? Resolution, string? Reply, string? ComplaintState, string? CloseReason, int? RootCauseId);
