namespace ServiceHub.Data.Complaints;

/// <summary>The states of a complaint from registration to closure (DOMAIN.md §4).</summary>
public static class ComplaintStates
{
    public const string Registered = "registered";
    public const string Dispatched = "dispatched";
    public const string Contacted = "contacted";
    public const string Handled = "handled";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [Registered, Dispatched, Contacted, Handled, Closed];
    public static readonly IReadOnlyList<string> Open = [Dispatched, Contacted];
}

/// <summary>Dispatch urgency: the department must contact the customer within 15 min, 30 min, 1 h or 2 h (DOMAIN.md §4).</summary>
public static class Urgency
{
    public static readonly IReadOnlyList<int> Minutes = [15, 30, 60, 120];

    public static bool IsValid(int minutes) => Minutes.Contains(minutes);
}

/// <summary>The deadline rules of a complaint, as pure functions used by the repository, the sweep and the pages.</summary>
public static class Deadlines
{
    /// <summary>The reply to the customer is due within 48 hours of registration.</summary>
    public static readonly TimeSpan ReplyWithin = TimeSpan.FromHours(48);

    /// <summary>Default share of a deadline's interval after which the handler is warned.</summary>
    public const double DefaultWarnShare = 0.8;

    public static DateTimeOffset ContactDue(DateTimeOffset dispatchedAt, int urgencyMinutes)
    {
        if (!Urgency.IsValid(urgencyMinutes)) throw new ArgumentOutOfRangeException(nameof(urgencyMinutes));
        return dispatchedAt.AddMinutes(urgencyMinutes);
    }

    public static DateTimeOffset ReplyDue(DateTimeOffset registeredAt) => registeredAt + ReplyWithin;

    /// <summary>When the handler is warned: at <paramref name="share"/> of the way from the start to the deadline.</summary>
    public static DateTimeOffset WarnAt(DateTimeOffset start, DateTimeOffset due, double share = DefaultWarnShare)
    {
        if (share is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(share));
        var span = due - start;
        return span <= TimeSpan.Zero ? due : start + TimeSpan.FromTicks((long)(span.Ticks * share));
    }

    /// <summary>Level 2 (supervising vice-president): still overdue one contact interval after the deadline.</summary>
    public static DateTimeOffset Level2At(DateTimeOffset due, int urgencyMinutes) => due.AddMinutes(urgencyMinutes);
}

/// <summary>Per-year form numbers of the manual's registers: LD-2026-000123.</summary>
public static class FormTypes
{
    /// <summary>《客户来电登记表》 call register.</summary>
    public const string Call = "LD";
    /// <summary>《客户来访登记表》 visit register.</summary>
    public const string Visit = "LF";
    /// <summary>Letters, e-mails, forum posts, media and forwarded matters (来函/网络/转办登记).</summary>
    public const string Other = "QT";
    /// <summary>《客户接待洽谈记录表》 reception record.</summary>
    public const string Reception = "JD";
    /// <summary>《客户反映问题记录单》 customer issue record sheet.</summary>
    public const string IssueSheet = "FY";

    public static string ForChannel(string channel) => channel switch
    {
        Channels.Phone => Call,
        Channels.Visit => Visit,
        _ => Other,
    };

    public static string Format(string formType, int year, int number) => $"{formType}-{year}-{number:000000}";
}

public static class Channels
{
    public const string Phone = "phone";
    public const string Visit = "visit";
    public const string Letter = "letter";
    public const string Email = "email";
    public const string Forum = "forum";
    public const string Media = "media";
    public const string Forwarded = "forwarded";

    public static readonly IReadOnlyList<string> All = [Phone, Visit, Letter, Email, Forum, Media, Forwarded];
}

public static class ContactKinds
{
    public const string Consultation = "consultation";
    public const string Inquiry = "inquiry";
    public const string Complaint = "complaint";

    public static readonly IReadOnlyList<string> All = [Consultation, Inquiry, Complaint];
}
