namespace ServiceHub.Data.Complaints;

/// <summary>The deadlines of a complaint (<c>complaint_deadlines.kind</c>).</summary>
public static class DeadlineKinds
{
    /// <summary>First contact with the customer, within the urgency's 15 / 30 / 60 / 120 minutes of dispatch.</summary>
    public const string Contact = "contact";
    /// <summary>The reply to the customer, 48 hours after registration (or the time agreed in an extension, or after a reopening).</summary>
    public const string Reply = "reply";
}
