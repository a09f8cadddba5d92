using ServiceHub.Data.Complaints;

namespace ServiceHub.Data.Intake;

/// <summary>What the agent fills in on the intake page.</summary>
public sealed class IntakeForm
{
    /// <summary>Length limits of the form's texts (also CHECKs in <c>sql/0135_text_length_limits.sql</c>).</summary>
    public const int ContentMax = 4000, AnswerMax = 4000, PurposeMax = 500, ConfirmedByMax = 100;

    public string Channel { get; set; } = Channels.Phone;
    public string Kind { get; set; } = ContactKinds.Consultation;
    public int? CustomerId { get; set; }
    public int? ProjectId { get; set; }
    public int? UnitId { get; set; }
    public string Purpose { get; set; } = "";
    public string Content { get; set; } = "";
    public string Answer { get; set; } = "";
    public bool? Satisfied { get; set; }
    /// <summary>A visit with a reception talk produces the reception record, which the customer confirms.</summary>
    public bool WithReception { get; set; }
    public string? ReceptionConfirmedBy { get; set; }
    /// <summary>The agent saw the forbidden-phrase flag and saves anyway (the phrase is recorded).</summary>
    public bool AcceptForbiddenPhrases { get; set; }
    /// <summary>Complaints: dispatch at once to this department with this urgency.</summary>
    public int? DispatchDepartmentId { get; set; }
    public int? UrgencyMinutes { get; set; }
    public bool NeedsReturnVisit { get; set; } = true;
    /// <summary>A repeat complaint: the earlier complaint of the same customer on the same matter.</summary>
    public long? RepeatOfComplaintId { get; set; }
    /// <summary>
    /// Complaints: the same complaint as this existing one (counting rule 3): the new issue record sheet is merged into it at once,
    /// and not dispatched (the group is handled through that complaint).
    /// </summary>
    public long? AttachToComplaintId { get; set; }
    /// <summary>Consultations and inquiries: the standard reply the agent answered with (its use, made before the contact was saved).</summary>
    public long? StandardReplyUseId { get; set; }
    /// <summary>The telephone system's call this contact came in on (screen pop): the contact keeps the call and its start time.</summary>
    public long? CallId { get; set; }
}
