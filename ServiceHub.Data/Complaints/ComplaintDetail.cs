using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Complaints;

/// <summary>One complaint as the complaint page shows it, with what the page renders from the rules: the countdowns and the actions.</summary>
public sealed record ComplaintDetail(
    long Id, string SheetNo, long ContactId, string RegisterNo, int CustomerId, string CustomerName, int? ProjectId, string? ProjectName, string? Address,
    string Channel, string Content, string State, int? UrgencyMinutes, int? DepartmentId, string? DepartmentName,
    int? HandlerId, string? HandlerName, int RegisteredBy, string RegisteredByName, DateTimeOffset RegisteredAt,
    DateTimeOffset? DispatchedAt, DateTimeOffset? ContactDueAt, DateTimeOffset? ContactedAt, string? ContactMethod,
    DateTimeOffset ReplyDueAt, string? Resolution, string? Reply, string[] ReplyForbiddenPhrases, DateTimeOffset? HandledAt,
    bool NeedsReturnVisit, DateTimeOffset? ClosedAt, string? CloseReason, int EscalationLevel, DateTimeOffset? CurrentDueAt, string? MergedIntoSheetNo,
    DateTimeOffset? ContactWarnAt, DateTimeOffset? ReplyWarnAt, string CustomerPhoneMasked,
    DateTimeOffset? ContactLoggedAt, string? ContactTimeNote,
    DateTimeOffset? FeedbackDueAt, DateTimeOffset? FeedbackWarnAt, DateTimeOffset? FeedbackGivenAt, bool FeedbackRunning,
    DateTimeOffset? AgreedReplyAt, DateTimeOffset? AgreedWarnAt, bool AgreedRunning, DateTimeOffset? ReturnVisitUnreachableAt)
{
    /// <summary>The contact time was typed more than an hour before it was logged (with its note): shown as such.</summary>
    public bool ContactBackdated => ContactedAt is { } at && ContactLoggedAt is { } logged && ContactTime.NeedsNote(at, logged);

    /// <summary>The earliest feedback time agreed with the owner: its countdown while it runs, missed when passed unmet.</summary>
    public AgreedTime? Feedback => AgreedTime.Of(FeedbackDueAt, FeedbackWarnAt, FeedbackGivenAt, FeedbackRunning && !IsMerged);

    /// <summary>The new date the manager agreed after the reply deadline was missed (the deadline stays missed).</summary>
    public AgreedTime? AgreedReply => AgreedTime.Of(AgreedReplyAt, AgreedWarnAt, ComplaintStates.Unhandled.Contains(State) ? null : HandledAt, AgreedRunning && !IsMerged);

    /// <summary>
    /// The reply deadline in force has passed while the complaint is not handled: an extension is refused now, and the department manager
    /// may record a new agreed date instead (<see cref="ComplaintAction.AgreeDate"/>).
    /// </summary>
    public bool ReplyMissed(DateTimeOffset now) => ComplaintStates.Unhandled.Contains(State) && !Deadlines.MayExtend(ReplyDueAt, now);

    /// <summary>Merged into another complaint: handled through that one, its own deadlines suspended.</summary>
    public bool IsMerged => MergedIntoSheetNo is not null;

    /// <summary>The contact deadline runs while the department has yet to contact the customer (dispatched), unless merged.</summary>
    public DeadlineCountdown? ContactCountdown =>
        State == ComplaintStates.Dispatched && !IsMerged ? DeadlineCountdown.Of(ContactDueAt, ContactWarnAt) : null;

    /// <summary>The reply deadline runs until the complaint is handled, unless merged.</summary>
    public DeadlineCountdown? ReplyCountdown =>
        ComplaintStates.Unhandled.Contains(State) && !IsMerged ? DeadlineCountdown.Of(ReplyDueAt, ReplyWarnAt) : null;

    /// <summary>Whether <paramref name="actor"/> may show (and call) the customer's phone now (<see cref="ComplaintPermissions.MaySeeCustomerPhone"/>).</summary>
    public bool MaySeeCustomerPhone(Actor actor) => ComplaintPermissions.MaySeeCustomerPhone(actor, State, DepartmentId, IsMerged);

    /// <summary>What <paramref name="actor"/> may do with this complaint now (<see cref="ComplaintPermissions"/>).</summary>
    public IReadOnlyList<string> ActionsFor(Actor actor) => ComplaintPermissions.Allowed(actor, State, DepartmentId, IsMerged);
}
