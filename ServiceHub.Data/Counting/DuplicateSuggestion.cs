namespace ServiceHub.Data.Counting;

/// <summary>A likely duplicate of a new complaint at intake, with its similarity.</summary>
public sealed record DuplicateSuggestion(long Id, string SheetNo, string Content, DateTimeOffset RegisteredAt, string State, string CustomerName, double Score);
