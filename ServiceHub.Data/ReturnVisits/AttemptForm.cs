namespace ServiceHub.Data.ReturnVisits;

/// <summary>What the team member records for one call.</summary>
public sealed class AttemptForm
{
    /// <summary>Length limits (CHECKs in sql/0135): the call's notes, and the customer's words when not satisfied.</summary>
    public const int NotesMax = 500, CustomerWordsMax = 2000;

    public string Result { get; set; } = AttemptResults.Reached;
    public DateTimeOffset? CallbackAt { get; set; }
    public string? Outcome { get; set; }
    public string CustomerWords { get; set; } = "";
    public string Notes { get; set; } = "";
}
