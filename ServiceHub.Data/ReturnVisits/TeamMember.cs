namespace ServiceHub.Data.ReturnVisits;

/// <summary>An active member of the return-visit team.</summary>
public sealed record TeamMember(int Id, string DisplayName);
