namespace ServiceHub.Data.ReturnVisits;

/// <summary>The CS supervisor's return-visit rules.</summary>
public sealed class SettingsForm
{
    public string AssignRule { get; set; } = AssignRules.RoundRobin;
    public int DueHours { get; set; } = 48;
    public int MaxFailedAttempts { get; set; } = 3;
    public int ConsultationSamplePercent { get; set; } = 10;
    /// <summary>Failed attempts on this many different business days let the return-visit lead close a task as unreachable.</summary>
    public int UnreachableAfterDays { get; set; } = Unreachable.DefaultAfterDays;
}
