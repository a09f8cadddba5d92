namespace ServiceHub.Data.Complaints;

public static class ContactKinds
{
    public const string Consultation = "consultation";
    public const string Inquiry = "inquiry";
    public const string Complaint = "complaint";

    public static readonly IReadOnlyList<string> All = [Consultation, Inquiry, Complaint];
}
