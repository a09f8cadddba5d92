namespace ServiceHub.Data.ReturnVisits;

/// <summary>Settings of the closure sweep (<c>ReturnVisits:Closure</c>).</summary>
public sealed class ClosureOptions
{
    public const int DefaultBatchSize = 50_000;

    /// <summary>Complaints closed per transaction: a crash loses at most one batch's work (it is done again on the next run).</summary>
    public int BatchSize { get; set; } = DefaultBatchSize;
}
