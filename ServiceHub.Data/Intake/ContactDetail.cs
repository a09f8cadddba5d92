using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Intake;

/// <summary>One contact with its first responder, issue record sheet, reception record, hand-over and complaint.</summary>
public sealed record ContactDetail(
    long Id, string RegisterNo, string Channel, string Kind, int CustomerId, string CustomerName, int? ProjectId, string? ProjectName, string? Address,
    string Purpose, string Content, string Answer, bool? Satisfied, string[] ForbiddenPhrases, DateTimeOffset ReceivedAt,
    int FirstResponderId, string FirstResponderName, string? ReceptionNo, string? ReceptionConfirmedBy, DateTimeOffset? ReceptionConfirmedAt,
    int? HandoverToId, string? HandoverToName, DateTimeOffset? HandoverAt, string? HandoverResult, DateTimeOffset? HandoverResultAt,
    long? ComplaintId, string? SheetNo, string? HandoverNote, DateTimeOffset? HandoverDueAt, DateTimeOffset? HandoverTakenAt, DateTimeOffset? HandoverFlaggedAt)
{
    public bool MayHandOver(Actor actor) => HandOvers.MayHandOver(actor, FirstResponderId, HandoverToId);
    public bool MayTakeUp(Actor actor) => HandOvers.MayTakeUp(actor, HandoverToId, HandoverTakenAt, HandoverResult);
    public bool MayRecordResult(Actor actor) => HandOvers.MayRecordResult(actor, FirstResponderId, HandoverToId, HandoverResult);
    public bool IsHandOverOverdue(DateTimeOffset now) => HandOvers.IsOverdue(HandoverDueAt, HandoverTakenAt, HandoverResult, now);
}
