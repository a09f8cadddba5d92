namespace ServiceHub.Data.ReturnVisits;

/// <summary>What a recorded call changed: the task's state, the complaint's, a pending closure, a reminder.</summary>
public sealed record AttemptResult(string TaskState, string? ComplaintState, bool ClosurePending, long? ReminderId);
