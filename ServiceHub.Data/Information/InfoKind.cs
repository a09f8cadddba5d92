namespace ServiceHub.Data.Information;

/// <summary>One of the seventeen kinds of information: its class, owner department, readers and retention.</summary>
public sealed record InfoKind(string Code, string Class, string Name, string NameEn, string OwnerDepartmentCode, string[] ReaderRoles, int RetentionMonths, string? AlsoClass = null)
{
    /// <summary>The classes the kind is listed under (customer events are both customer-to-company and commercial).</summary>
    public IEnumerable<string> Classes => AlsoClass is null ? [Class] : [Class, AlsoClass];
}
