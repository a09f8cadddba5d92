namespace ServiceHub.Data.Intake;

/// <summary>One contact in a customer's history or the contact list.</summary>
public sealed record ContactSummary(
    long Id, string RegisterNo, string Channel, string Kind, DateTimeOffset ReceivedAt, string Content, string Answer, bool? Satisfied,
    string FirstResponderName, long? ComplaintId, string? SheetNo, string? ComplaintState);
