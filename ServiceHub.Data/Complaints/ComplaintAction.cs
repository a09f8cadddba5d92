namespace ServiceHub.Data.Complaints;

/// <summary>The actions a person takes on a complaint; the names of the complaint page's buttons and panels.</summary>
public static class ComplaintAction
{
    // The desk (DOMAIN.md §4 handling), in the order the complaint page offers them.
    public const string Dispatch = "dispatch";
    public const string Contact = "contact";
    public const string Handle = "handle";
    public const string Note = "note";
    public const string Extend = "extend";
    /// <summary>The earliest feedback time agreed with the owner, and the feedback given (最快反馈信息的时间).</summary>
    public const string Feedback = "feedback";
    public const string Transfer = "transfer";
    /// <summary>The department manager's new date agreed with the customer after the reply deadline was missed (offered in the extension panel then).</summary>
    public const string AgreeDate = "agree-date";

    // Counting (DOMAIN.md §4 counting rules) and hot complaints.
    public const string Classify = "classify";
    public const string Verify = "verify";
    public const string Impact = "impact";
    public const string Merge = "merge";
    public const string Unmerge = "unmerge";
    /// <summary>At intake: another voice of the complaint (a contact attached, or the contact's own complaint merged into it).</summary>
    public const string Attach = "attach";
    public const string Online = "online";
    public const string Split = "split";
    public const string FlagHot = "flag-hot";

    // Return visits (DOMAIN.md §5): whether the complaint needs one, set by the CS supervisor.
    public const string ReturnVisitNeed = "return-visit-need";

    public static readonly IReadOnlyList<string> Desk = [Dispatch, Contact, Handle, Note, Extend, Feedback, Transfer];
    public static readonly IReadOnlyList<string> All = [.. Desk, AgreeDate, Classify, Verify, Impact, Merge, Unmerge, Attach, Online, Split, FlagHot, ReturnVisitNeed];
}
