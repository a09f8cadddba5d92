namespace ServiceHub.Data.ReturnVisits;

/// <summary>An earlier complaint the intake page offers for "repeat of", with whether a repeat now would reopen it.</summary>
public sealed record RepeatCandidate(long Id, string SheetNo, string State, string Content, DateTimeOffset? HandledAt, bool Reopens);
