namespace ServiceHub.Data.Counting;

/// <summary>The complaint, contact, numbers and author (customer) a split-off follow-up was registered with.</summary>
public sealed record SplitResult(long ComplaintId, string SheetNo, long ContactId, string RegisterNo, int CustomerId);
