using ServiceHub.Data.Emergencies;

namespace ServiceHub.Data.Notifications;

/// <summary>
/// The events that may reach a person outside the app (issue #13 point 2), stored as text (<c>notification_defaults.event_kind</c>).
/// The in-app notification or emergency alert of each is always written; a person's choice governs the other channels.
/// </summary>
public static class NotificationEvents
{
    /// <summary>A first-class emergency the person's department is responsible for (they are its manager).</summary>
    public const string EmergencyRaised = "emergency_raised";
    /// <summary>A first-class emergency the person is told of: the supervising VP, leadership, the CS supervisor asked to confirm one.</summary>
    public const string EmergencyInformed = "emergency_informed";
    /// <summary>The 60- and 90-minute reminders to the manager who is not yet on site.</summary>
    public const string EmergencyReminder = "emergency_reminder";
    /// <summary>Two hours passed without the manager on site: to the supervising VP and leadership.</summary>
    public const string EmergencyEscalated = "emergency_escalated";
    /// <summary>A complaint's deadline missed and escalated to the person (the department manager, then the supervising VP).</summary>
    public const string ComplaintEscalated = "complaint_escalated";
    /// <summary>A contact handed over to the person (first-responder responsibility).</summary>
    public const string HandoverToMe = "handover_to_me";
    /// <summary>A return visit assigned to the person, or its agreed call-back time come.</summary>
    public const string ReturnVisitDue = "return_visit_due";

    public static readonly IReadOnlyList<string> All =
        [EmergencyRaised, EmergencyInformed, EmergencyReminder, EmergencyEscalated, ComplaintEscalated, HandoverToMe, ReturnVisitDue];

    /// <summary>
    /// Which in-app notifications are also events for the other channels, by their message key. A notification whose key is not here
    /// stays in the app only. Writers call <c>NotificationRepository.NotifyAsync</c> (or use <see cref="OutboxSql"/>) to get this.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ByMessageKey = new Dictionary<string, string>
    {
        ["Notify.Deadline.level1"] = ComplaintEscalated,
        ["Notify.Deadline.level2"] = ComplaintEscalated,
        ["Notify.HandedOver"] = HandoverToMe,
        ["ReturnVisit.Notify.Assigned"] = ReturnVisitDue,
        ["ReturnVisit.Notify.CallBack"] = ReturnVisitDue,
    };

    /// <summary>The event of an emergency alert: its reason, and whether the person alerted is the responsible department's manager.</summary>
    public static string ForAlert(string reason, bool isResponsibleManager) => reason switch
    {
        AlertReasons.Raised when isResponsibleManager => EmergencyRaised,
        AlertReasons.Raised or AlertReasons.Confirm => EmergencyInformed,
        AlertReasons.Reminder60 or AlertReasons.Reminder90 => EmergencyReminder,
        AlertReasons.Escalated => EmergencyEscalated,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}

/// <summary>The channels (<c>outbox_messages.channel</c>). In-app is not one of them: it is always written, in the event's own tables.</summary>
public static class NotificationChannels
{
    public const string InApp = "in_app";
    public const string Email = "email";
    public const string Robot = "robot";
    public const string Sms = "sms";
    /// <summary>Outgoing integration webhooks (issue #13 point 8) are delivered through the same outbox.</summary>
    public const string Webhook = "webhook";

    /// <summary>The channels a person chooses per event kind.</summary>
    public static readonly IReadOnlyList<string> Personal = [Email, Robot, Sms];

    /// <summary>Group robots' kinds (<c>notification_robots.kind</c>).</summary>
    public const string WeCom = "wecom";
    public const string DingTalk = "dingtalk";
    public static readonly IReadOnlyList<string> RobotKinds = [WeCom, DingTalk];
}

/// <summary>The states of an outbox message.</summary>
public static class OutboxStates
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public static readonly IReadOnlyList<string> All = [Pending, Sent, Failed, Cancelled];
}
