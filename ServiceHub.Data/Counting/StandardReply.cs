namespace ServiceHub.Data.Counting;

/// <summary>A standard reply (统一答复口径) with its status and how often it was used and how customers took it.</summary>
public sealed record StandardReply(
    int Id, int ProjectId, string ProjectName, string Matter, string Reply, int DepartmentId, string DepartmentName, string AuthorName,
    DateTimeOffset CreatedAt, string Status, string? DecidedByName, DateTimeOffset? DecidedAt, string DecisionNote,
    int Uses, int Satisfied, int Dissatisfied);
