namespace ServiceHub.Data.Complaints;

/// <summary>One escalation of a department's complaint, for its manager.</summary>
public sealed record EscalationItem(long ComplaintId, string SheetNo, string Kind, string Stage, DateTimeOffset DueAt, DateTimeOffset At, string State, string CustomerName);
