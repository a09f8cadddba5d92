namespace ServiceHub.Data.ReturnVisits;

/// <summary>One recorded call attempt.</summary>
public sealed record AttemptRow(long Id, DateTimeOffset At, string ByName, string Result, DateTimeOffset? CallbackAt, string? Outcome, string Notes);
