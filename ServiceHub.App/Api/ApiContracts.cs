using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace ServiceHub.App.Api;

// The API's request and response bodies: the published contract (the OpenAPI document), kept apart from the Data layer's records so
// an internal change does not change the API by accident. Every text has a length limit.

[Description("A contact to register, whatever the channel (the same rules as the intake page).")]
public sealed record ContactRequest(
    [property: Description("phone, visit, letter, email, forum, media, forwarded"), MaxLength(20)] string Channel,
    [property: Description("consultation, inquiry, complaint"), MaxLength(20)] string Kind,
    int? CustomerId,
    [property: MaxLength(ApiLimits.Purpose)] string? Purpose,
    [property: MaxLength(ApiLimits.Text)] string Content,
    [property: Description("Required for consultations and inquiries; none for complaints."), MaxLength(ApiLimits.Text)] string? Answer,
    [property: Description("Consultations: was the customer satisfied with the answer.")] bool? Satisfied,
    int? ProjectId,
    int? UnitId,
    [property: Description("Complaints: dispatch at once to this department …")] int? DispatchDepartmentId,
    [property: Description("… with this urgency: 15, 30, 60 or 120 minutes to the first contact.")] int? UrgencyMinutes,
    bool? NeedsReturnVisit,
    [property: Description("The call (POST /api/v1/calls) this contact came in on; its start time is kept on the contact.")] long? CallId);

public sealed record ContactCreated(long ContactId, string RegisterNo, string? SheetNo, long? ComplaintId);

public sealed record ComplaintResponse(
    long Id, string SheetNo, string State, string Channel, string Content, int CustomerId, string CustomerName, string CustomerPhoneMasked,
    int? ProjectId, string? ProjectName, string? Address, int? DepartmentId, string? DepartmentName, int? UrgencyMinutes, string? HandlerName,
    DateTimeOffset RegisteredAt, DateTimeOffset? DispatchedAt, DateTimeOffset? ContactDueAt, DateTimeOffset? ContactedAt, DateTimeOffset ReplyDueAt,
    DateTimeOffset? HandledAt, string? Resolution, string? Reply, DateTimeOffset? ClosedAt, string? CloseReason, int EscalationLevel,
    DateTimeOffset? CurrentDueAt, string? MergedIntoSheetNo);

public sealed record TimelineEntry(long Id, DateTimeOffset At, string Actor, string Kind, string Details, DateTimeOffset? DeadlineBefore, DateTimeOffset? DeadlineAfter);

public sealed record QueueEntry(long Id, string SheetNo, string State, string CustomerName, string? ProjectName, string Content, int? UrgencyMinutes,
    DateTimeOffset RegisteredAt, DateTimeOffset? CurrentDueAt, int EscalationLevel, string? HandlerName);

public sealed record QueuePage(IReadOnlyList<QueueEntry> Items, int Total);

[Description("The department's first contact with the customer.")]
public sealed record ContactConfirmation(DateTimeOffset ContactedAt, [property: MaxLength(ApiLimits.Short)] string Method,
    [property: Description("Why the contact is logged late: required when contactedAt is more than an hour before the call."), MaxLength(ApiLimits.Short)] string? Note = null);

[Description("The resolution and the reply to the customer: the complaint is handled.")]
public sealed record ReplyRequest([property: MaxLength(ApiLimits.Text)] string Resolution, [property: MaxLength(ApiLimits.Text)] string Reply,
    [property: Description("Save although the reply contains a forbidden phrase (it is recorded).")] bool AcceptForbiddenPhrases = false);

[Description("处理延期: the new time agreed with the customer becomes the escalation deadline.")]
public sealed record ExtensionRequest(DateTimeOffset NewDue, [property: MaxLength(ApiLimits.Short)] string Reason);

[Description("A first-class emergency (the two hours run from when it happened).")]
public sealed record EmergencyRequest(
    [property: Description("disaster, fire_explosion, public_security, injury_death, compensation_loss, negative_media, other"), MaxLength(40)] string Kind,
    [property: MaxLength(ApiLimits.Short)] string? KindDetail, bool Attempted, decimal? AmountYuan, int? ProjectId, int? BuildingId,
    [property: MaxLength(ApiLimits.Short)] string Location, DateTimeOffset? OccurredAt, [property: MaxLength(ApiLimits.Text)] string Description,
    int? ResponsibleDepartmentId);

public sealed record EmergencyCreated(int EmergencyId);

public sealed record Rate(int Numerator, int Denominator, decimal? Percent);

public sealed record KpiResponse(string Month, int? DepartmentId, int Complaints, Rate? ConsultationSatisfaction, Rate ReplyOnTime, Rate ContactOnTime,
    int Escalated, int Closed, Rate ClosureRate, int Repeat, int Emergencies, Rate EmergencyOnTime);

public sealed record CustomerResponse(int Id, string Name, string PhoneMasked, string? Address, int OpenComplaints);

[Description("A call ringing at an agent's extension, from the telephone system.")]
public sealed record CallRequest(
    [property: Description("The caller's number as the exchange delivers it."), MaxLength(30)] string CallerNumber,
    [property: Description("The extension that rings (2-8 digits)."), MaxLength(8)] string Extension,
    [property: Description("When the call started (now when omitted).")] DateTimeOffset? StartedAt,
    [property: Description("The exchange's own id of the call: sending the same call again changes nothing."), MaxLength(64)] string? CallId);

public sealed record CallAccepted(long CallId, [property: Description("Whether an agent is signed in at that extension (the pop-up was sent).")] bool AgentFound,
    int? CustomerId);

public static class ApiLimits
{
    public const int Text = 4000;
    public const int Purpose = 200;
    public const int Short = 500;
}
