namespace ServiceHub.Data.Complaints;

/// <summary>One step on a complaint's timeline (<see cref="ComplaintEvents"/>), with the deadline it moved.</summary>
public sealed record ComplaintEvent(long Id, DateTimeOffset At, string ActorName, string Kind, string Details, DateTimeOffset? DeadlineBefore, DateTimeOffset? DeadlineAfter);
