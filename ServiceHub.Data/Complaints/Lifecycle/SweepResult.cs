namespace ServiceHub.Data.Complaints;

/// <summary>What one run of the escalation sweep did: deadline stages advanced, notifications sent.</summary>
public sealed record SweepResult(int StagesAdvanced, int Notifications);
