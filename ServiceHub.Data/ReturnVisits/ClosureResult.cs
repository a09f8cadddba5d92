namespace ServiceHub.Data.ReturnVisits;

/// <summary>What one run of the closure sweep did; <paramref name="Skipped"/> when another server held the sweep's lock.</summary>
public sealed record ClosureResult(int ClosedOneWeek, int ClosedAfterReturnVisit, int RemindersSent, int AwaitingClassification, bool Skipped = false);
