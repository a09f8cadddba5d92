namespace ServiceHub.Data.Complaints;

/// <summary>The deadlines of a complaint (<c>complaint_deadlines.kind</c>).</summary>
public static class DeadlineKinds
{
    /// <summary>First contact with the customer, within the urgency's 15 / 30 / 60 / 120 minutes of dispatch.</summary>
    public const string Contact = "contact";
    /// <summary>The reply to the customer, 48 hours after registration (or the time agreed in an extension, or after a reopening).</summary>
    public const string Reply = "reply";
    /// <summary>The earliest feedback time (最快反馈信息的时间) the handler agreed with the owner when the matter could not be resolved at once.</summary>
    public const string Feedback = "feedback";
    /// <summary>The new date the department manager agreed with the customer after the reply deadline was missed (it stays missed).</summary>
    public const string Agreed = "agreed";

    /// <summary>
    /// The deadlines the call centre escalates when missed (DOMAIN.md §4: the manager at the deadline, the supervising vice-president one
    /// contact interval later); they make a complaint's next due time. The others only warn the handler before and mark the miss:
    /// the manual asks the handler to agree the feedback time with the owner, not to escalate it (decision, issue #11 point 6), and a new
    /// date agreed after a miss must not escalate the complaint a second time.
    /// </summary>
    public static readonly IReadOnlyList<string> Escalating = [Contact, Reply];

    public static bool Escalates(string kind) => Escalating.Contains(kind);

    /// <summary>SQL: the escalating kinds, for <c>IN (…)</c>.</summary>
    public const string EscalatingSql = "'contact','reply'";
}
