namespace ServiceHub.Data.Counting;

/// <summary>A follow-up post split off as a complaint of its own (counting rule 4).</summary>
public sealed record SplitOff(long Id, string SheetNo, DateTimeOffset RegisteredAt, string Content);
