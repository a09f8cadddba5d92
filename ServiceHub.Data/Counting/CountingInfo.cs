using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>The counting view of a complaint: classification, verification, its merge group and its online data.</summary>
public sealed record CountingInfo(
    long Id, string SheetNo, int CustomerId, string CustomerName, int? ProjectId, string? ProjectName, int? DepartmentId, string Channel,
    string Content, string State, DateTimeOffset RegisteredAt, int? RootCauseId, string? RootCauseName, string? RootCauseNameEn,
    bool? Counted, string? CountReason, string? VerifiedByName, DateTimeOffset? VerifiedAt,
    long? MergedIntoId, string? MergedIntoSheetNo, string Impact, string? PostUrl, int FollowUpCount, int Heat, string OfflineImpact,
    long? SplitFromId, string? SplitFromSheetNo, int Complainants, int Times)
{
    /// <summary>What <paramref name="actor"/> may do with this complaint now (<see cref="ComplaintPermissions"/>).</summary>
    public IReadOnlyList<string> ActionsFor(Actor actor) => ComplaintPermissions.Allowed(actor, State, DepartmentId, MergedIntoId is not null);

    /// <summary>Whether <paramref name="actor"/> may take a merged voice of this group out of it again.</summary>
    public bool MayUnmerge(Actor actor, Voice voice) =>
        voice.How == VoiceKinds.Merged && ComplaintPermissions.Allows(actor, ComplaintAction.Unmerge, State, DepartmentId, merged: true);
}
