namespace ServiceHub.Data.ReturnVisits;

/// <summary>The CS supervisor's return-visit rules.</summary>
public sealed class SettingsForm
{
    public string AssignRule { get; set; } = AssignRules.RoundRobin;
    public int DueHours { get; set; } = 48;
    public int MaxFailedAttempts { get; set; } = 3;
    public int ConsultationSamplePercent { get; set; } = 10;
}
