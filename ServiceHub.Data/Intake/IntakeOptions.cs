namespace ServiceHub.Data.Intake;

/// <summary>Intake settings (configuration section <c>Intake</c>).</summary>
public sealed class IntakeOptions
{
    /// <summary>
    /// Working days (business calendar) within which the recipient of a hand-over must take it up; after that the first responder is
    /// told and the sheet is put before HR (1 by default).
    /// </summary>
    public int HandOverWithinWorkingDays { get; set; } = 1;
}
