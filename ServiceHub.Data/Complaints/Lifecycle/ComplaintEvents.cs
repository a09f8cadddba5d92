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
    public const string Transferred = "transferred";

    // Closure, return visits and repeat complaints.
    public const string Reopened = "reopened";
    public const string Closed = "closed";
    public const string ReturnVisit = "return-visit";
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
