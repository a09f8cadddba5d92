namespace ServiceHub.Data.Counting;

/// <summary>A counted complaint awaiting the CS supervisor's verification (counting rule 1).</summary>
public sealed record VerificationItem(
    long Id, string SheetNo, DateTimeOffset RegisteredAt, string CustomerName, string? ProjectName, string Content, string? RootCauseName,
    string? RootCauseNameEn, int Complainants, int Times);
