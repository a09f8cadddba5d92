namespace ServiceHub.Data.Counting;

/// <summary>One contact that raised the counted complaint.</summary>
public sealed record Voice(
    long ContactId, string RegisterNo, DateTimeOffset ReceivedAt, int CustomerId, string CustomerName, string Channel, string Content,
    long ComplaintId, string SheetNo, string How);
