namespace ServiceHub.Data.Complaints;

/// <summary>The kinds of a complaint's timeline events (<c>complaint_events.kind</c>), all written by <see cref="ComplaintLifecycle"/>.</summary>
public static class ComplaintEvents
{
    // The desk.
    public const string Registered = "registered";
    public const string Dispatched = "dispatched";
    public const string Contacted = "contacted";
    public const string Note = "note";
    public const string Handled = "handled";
    public const string Extended = "extended";
    /// <summary>A new date the manager agreed with the customer after the reply deadline was missed (it stays missed).</summary>
    public const string AgreedDate = "agreed-date";
    /// <summary>The earliest feedback time agreed with the owner; and the feedback given (details: in-time or late).</summary>
    public const string FeedbackAgreed = "feedback-agreed";
    public const string FeedbackGiven = "feedback-given";
    public const string Transferred = "transferred";

    // Closure, return visits and repeat complaints.
    public const string Reopened = "reopened";
    public const string Closed = "closed";
    public const string ReturnVisit = "return-visit";
    /// <summary>The return-visit lead closed the visit as unreachable; details: the times of the failed attempts (and the lead's note).</summary>
    public const string ReturnVisitUnreachable = "return-visit-unreachable";
    /// <summary>The CS supervisor set that the complaint needs a return visit, or that it does not; details: the reason.</summary>
    public const string ReturnVisitNeeded = "return-visit-needed";
    public const string ReturnVisitNotNeeded = "return-visit-not-needed";
    public const string RepeatComplaint = "repeat-complaint";

    // Counting.
    public const string Classified = "classified";
    public const string Verified = "verified";
    public const string Merged = "merged";
    public const string MergedInto = "merged-into";
    public const string Unmerged = "unmerged";
    public const string ContactAttached = "contact-attached";
    public const string OnlineUpdated = "online-updated";
    public const string SplitOff = "split-off";
    public const string SplitFrom = "split-from";

    // Hot complaints.
    public const string HotFlagged = "hot-flagged";
    public const string HotReportSent = "hot-report-sent";

    /// <summary>The escalation sweep's events: <c>deadline-</c> and the stage reached (<see cref="DeadlineStages"/>).</summary>
    public const string DeadlinePrefix = "deadline-";
}
