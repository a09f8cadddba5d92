namespace ServiceHub.Data.Counting;

/// <summary>What one run of the hot-complaint sweep did: reminders sent, reports flagged overdue.</summary>
public sealed record HotSweepResult(int Reminded, int Overdue);
