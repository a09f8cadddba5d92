namespace ServiceHub.Data.Intake;

/// <summary>A contact handed over to the signed-in person, as their "handed over to me" list shows it.</summary>
public sealed record HandOverItem(
    long ContactId, string RegisterNo, string? SheetNo, string Channel, string Kind, string CustomerName, string Content, string Answer,
    int FirstResponderId, string FirstResponderName, DateTimeOffset ReceivedAt, DateTimeOffset HandoverAt, string? HandoverNote,
    DateTimeOffset? HandoverDueAt, DateTimeOffset? HandoverTakenAt, string? HandoverResult, DateTimeOffset? HandoverResultAt, long? ComplaintId)
{
    public bool IsOpen => HandoverResult is null;
    public bool IsOverdue(DateTimeOffset now) => HandOvers.IsOverdue(HandoverDueAt, HandoverTakenAt, HandoverResult, now);
}
