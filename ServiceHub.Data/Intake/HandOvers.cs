using ServiceHub.Data.Admin;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Intake;

/// <summary>
/// The hand-over of a contact (首问责任制, DOMAIN.md §3): the first responder hands the matter to the responsible person at once,
/// that person takes it up within the configured working days and records the result, which completes the first responder's record.
/// </summary>
public static class HandOvers
{
    public const int NoteMax = 500;
    public const int ResultMax = 1000;


    /// <summary>When the recipient must have taken it up: the configured working days after the hand-over, on the business calendar.</summary>
    public static DateTimeOffset Due(DateTimeOffset handedOverAt, int workingDays, BusinessCalendar calendar) =>
        WorkingDays.AddWorkingDays(handedOverAt, Math.Max(1, workingDays), calendar);

    /// <summary>Not taken up in time: its due time has passed (taken up at the due time itself is in time) and it is neither taken up nor answered.</summary>
    public static bool IsOverdue(DateTimeOffset? dueAt, DateTimeOffset? takenAt, string? result, DateTimeOffset now) =>
        dueAt is { } due && takenAt is null && result is null && now > due;

    public static bool MayHandOver(Actor actor, int firstResponderId, int? handoverToId) =>
        handoverToId is null && (actor.Id == firstResponderId || actor.IsIn(Access.Supervisor));

    public static bool MayTakeUp(Actor actor, int? handoverToId, DateTimeOffset? takenAt, string? result) =>
        handoverToId == actor.Id && takenAt is null && result is null;

    public static bool MayRecordResult(Actor actor, int firstResponderId, int? handoverToId, string? result) =>
        handoverToId is not null && result is null && (actor.Id == handoverToId || actor.Id == firstResponderId || actor.IsIn(Access.Supervisor));
}
