namespace ServiceHub.Data.Counting;

/// <summary>A final root cause (counting rule 5): two levels, each with its definition.</summary>
public sealed record RootCause(int Id, int? ParentId, string Name, string NameEn, string Definition, bool IsActive, int SortOrder);
