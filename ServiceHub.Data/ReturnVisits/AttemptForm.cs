namespace ServiceHub.Data.ReturnVisits;

/// <summary>What the team member records for one call.</summary>
public sealed class AttemptForm
{
    public string Result { get; set; } = AttemptResults.Reached;
    public DateTimeOffset? CallbackAt { get; set; }
    public string? Outcome { get; set; }
    public string CustomerWords { get; set; } = "";
    public string Notes { get; set; } = "";
}
