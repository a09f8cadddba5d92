namespace ServiceHub.Data.Intake;

/// <summary>One contact with its first responder, reception record, hand-over and complaint.</summary>
public sealed record ContactDetail(
    long Id, string RegisterNo, string Channel, string Kind, int CustomerId, string CustomerName, int? ProjectId, string? ProjectName, string? Address,
    string Purpose, string Content, string Answer, bool? Satisfied, string[] ForbiddenPhrases, DateTimeOffset ReceivedAt,
    int FirstResponderId, string FirstResponderName, string? ReceptionNo, string? ReceptionConfirmedBy, DateTimeOffset? ReceptionConfirmedAt,
    int? HandoverToId, string? HandoverToName, DateTimeOffset? HandoverAt, string? HandoverResult, DateTimeOffset? HandoverResultAt,
    long? ComplaintId, string? SheetNo);
