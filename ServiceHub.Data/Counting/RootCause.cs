namespace ServiceHub.Data.Counting;

/// <summary>A final root cause (counting rule 5): two levels, each with its definition.</summary>
public sealed record RootCause(int Id, int? ParentId, string Name, string NameEn, string Definition, bool IsActive, int SortOrder)
{
    /// <summary>Length limits of a cause's names and definition (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int NameMax = 100, DefinitionMax = 1000;
}
