namespace ServiceHub.Data.Intake;

/// <summary>One of a customer's complaints not yet handled, beside the intake form.</summary>
public sealed record ComplaintBrief(long Id, string SheetNo, string State, DateTimeOffset RegisteredAt, string Content, string? DepartmentName, DateTimeOffset? CurrentDueAt);
