using ServiceHub.Data.Emergencies;

namespace ServiceHub.App.Emergencies;

/// <summary>Policies of the emergency pages, mirroring <see cref="EmergencyRoles"/> (the repository checks again).</summary>
public static class EmergencyPolicies
{
    public const string View = "emergencies";
    public const string Report = "emergencies-report";
}
