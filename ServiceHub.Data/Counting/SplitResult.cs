namespace ServiceHub.Data.Counting;

/// <summary>The complaint, contact and numbers a split-off follow-up was registered with.</summary>
public sealed record SplitResult(long ComplaintId, string SheetNo, long ContactId, string RegisterNo);
