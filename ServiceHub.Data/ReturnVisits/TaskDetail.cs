using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.ReturnVisits;

/// <summary>
/// One task with its complaint or consultation, as the task page shows it (the phone masked; a customer without a phone shows the channel
/// and handle they are reached by). <see cref="FailedDays"/>: the different business days on which an attempt failed;
/// <see cref="DepartmentLeadId"/> and <see cref="CsLeadId"/>: the return-visit leads of the task's department and of the CS department.
/// </summary>
public sealed record TaskDetail(
    long Id, string Kind, long? ComplaintId, string? SheetNo, long? ContactId, string? RegisterNo, int CustomerId, string CustomerName, string? CustomerPhone,
    string? DepartmentName, string? DepartmentNameEn, string State, int? AssigneeId, string? AssigneeName, DateTimeOffset DueAt, DateTimeOffset ScheduledAt, DateTimeOffset? CallbackAt,
    int FailedAttempts, string? Outcome, string? CustomerWords, bool ClosurePending, DateTimeOffset? CompletedAt,
    string Content, string? Resolution, string? Reply, string? ComplaintState, string? CloseReason, int? RootCauseId,
    string? CustomerContactChannel = null, string? CustomerContactHandle = null,
    int FailedDays = 0, int UnreachableAfterDays = Unreachable.DefaultAfterDays, int? DepartmentLeadId = null, int? CsLeadId = null,
    string? UnreachableNote = null, string? CompletedByName = null)
{
    /// <summary>Failed attempts fell on enough different days: the task may be closed as unreachable (by a lead, <see cref="MayCloseUnreachable"/>).</summary>
    public bool UnreachableReady => TaskStates.Active.Contains(State) && Unreachable.MayClose(FailedDays, UnreachableAfterDays);

    /// <summary>Whether <paramref name="actor"/> may close this task as unreachable now.</summary>
    public bool MayCloseUnreachable(Actor actor) => UnreachableReady && Unreachable.IsLead(actor, DepartmentLeadId, CsLeadId);
}
