namespace ServiceHub.Data.ReturnVisits;

/// <summary>One task on the team's scheduling page.</summary>
public sealed record TaskRow(
    long Id, string Kind, long? ComplaintId, string? SheetNo, long? ContactId, string? RegisterNo, string CustomerName, string? DepartmentName, string? DepartmentNameEn,
    string State, int? AssigneeId, string? AssigneeName, DateTimeOffset DueAt, DateTimeOffset ScheduledAt, DateTimeOffset? CallbackAt, int FailedAttempts)
{
    public bool IsOverdue(DateTimeOffset now) => DueAt < now;
}
