namespace ServiceHub.Data.Complaints;

/// <summary>One complaint in a department's queue.</summary>
public sealed record QueueItem(
    long Id, string SheetNo, string State, string CustomerName, string? ProjectName, string Content, int? UrgencyMinutes,
    DateTimeOffset RegisteredAt, DateTimeOffset? ContactDueAt, DateTimeOffset ReplyDueAt, DateTimeOffset? CurrentDueAt, int EscalationLevel, string? HandlerName,
    DateTimeOffset? CurrentWarnAt,
    DateTimeOffset? FeedbackDueAt = null, DateTimeOffset? FeedbackWarnAt = null, DateTimeOffset? FeedbackGivenAt = null, bool FeedbackRunning = false)
{
    /// <summary>The earliest feedback time agreed with the owner (its countdown while it runs, missed when passed unmet).</summary>
    public AgreedTime? Feedback => AgreedTime.Of(FeedbackDueAt, FeedbackWarnAt, FeedbackGivenAt, FeedbackRunning);

    /// <summary>The countdown to its next deadline (the contact deadline until the first contact, then the reply deadline).</summary>
    public DeadlineCountdown? Countdown => DeadlineCountdown.Of(CurrentDueAt, CurrentWarnAt);
}
