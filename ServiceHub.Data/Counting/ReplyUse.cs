namespace ServiceHub.Data.Counting;

/// <summary>One use of a standard reply by an agent.</summary>
public sealed record ReplyUse(long Id, int ReplyId, string Reply);
