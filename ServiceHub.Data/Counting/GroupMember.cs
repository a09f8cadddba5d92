namespace ServiceHub.Data.Counting;

/// <summary>A complaint merged into a counted complaint.</summary>
public sealed record GroupMember(long Id, string SheetNo, string CustomerName, DateTimeOffset RegisteredAt, string Content, DateTimeOffset? MergedAt);
