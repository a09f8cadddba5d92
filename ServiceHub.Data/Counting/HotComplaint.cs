namespace ServiceHub.Data.Counting;

/// <summary>A hot complaint (热点投诉) and its report to the group in five parts, due within one working day.</summary>
public sealed record HotComplaint(
    int Id, long ComplaintId, string SheetNo, string? ProjectName, string CustomerName, string ComplaintContent, string FlaggedByName,
    DateTimeOffset FlaggedAt, DateTimeOffset DueAt, string Content, string CauseAnalysis, string CurrentStatus, string Difficulties,
    string HelpNeeded, DateTimeOffset? SentAt, string? SentByName, DateTimeOffset? OverdueAt)
{
    /// <summary>Not sent by the due time (or sent late).</summary>
    public bool IsOverdue(DateTimeOffset now) => (SentAt ?? now) > DueAt;
}
