namespace ServiceHub.Data.Complaints;

/// <summary>How a running deadline is shown: in time, nearing (amber) or passed (red).</summary>
public enum DeadlineTone
{
    Ok,
    /// <summary>From the deadline's warning time on: the configured share of its interval (<see cref="ComplaintOptions.WarnShare"/>), when the handler is warned.</summary>
    Warn,
    Over,
}
