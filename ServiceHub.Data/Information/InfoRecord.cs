namespace ServiceHub.Data.Information;

/// <summary>A register row of information through create, store and destroy (建档, 存档, 销档).</summary>
public sealed record InfoRecord(
    long Id, string Kind, string Title, string? Body, string? PrivateData, string State, string? FiledByName, DateTimeOffset FiledAt,
    DateTimeOffset? StoredAt, DateTimeOffset? RetainUntil, string? DestroyReason, string? DestroyApprovedByName, DateTimeOffset? DestroyedAt,
    string? SourceType = null, long? SourceId = null, string? DestroyRequestedByName = null, DateTimeOffset? DestroyRequestedAt = null,
    string? DestroyRejectedReason = null)
{
    /// <summary>The reason the retention sweep writes when it asks for a destruction (shown localised).</summary>
    public const string RetentionEnded = "retention_ended";

    /// <summary>Length limits of what a reader types (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int TitleMax = 200, BodyMax = 4000, PrivateDataMax = 1000, ReasonMax = 500;
}
