namespace ServiceHub.Data.Complaints;

/// <summary>Which part of a department's queue to list.</summary>
public sealed record QueueFilter(int DepartmentId, int? ProjectId = null, int? UrgencyMinutes = null, string? State = null);
