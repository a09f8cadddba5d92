namespace ServiceHub.Data.Accountability;

/// <summary>What an offboarding handed over to the successor and flagged, counted.</summary>
public sealed record OffboardingResult(int Complaints, int ReturnVisits, int HandOvers, int Alerts, int DepartmentRoles, int SharedCredentialsFlagged);
