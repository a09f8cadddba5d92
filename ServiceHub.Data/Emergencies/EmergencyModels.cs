namespace ServiceHub.Data.Emergencies;

/// <summary>One alert to one person, as pushed to their screens and caught up on connect. Each person sees each <see cref="AlertId"/> once.</summary>
public sealed record AlertMessage(
    long AlertId, int UserId, string Reason, int EmergencyId, string Kind,
    string ProjectName, string? BuildingName, string Location, string Description,
    string DepartmentName, string DepartmentNameEn,
    DateTimeOffset OccurredAt, DateTimeOffset ReportedAt, DateTimeOffset OnSiteDueAt, DateTimeOffset CreatedAt);

public sealed record EmergencySummary(
    int Id, string Kind, string State, string ProjectName, string? BuildingName, string Location,
    string DepartmentName, string DepartmentNameEn, DateTimeOffset OccurredAt, DateTimeOffset ReportedAt,
    DateTimeOffset OnSiteDueAt, DateTimeOffset? ArrivedAt, string ReportedByName, DateTimeOffset? EscalatedAt);

public sealed record EmergencyDetail(
    int Id, string Kind, string State, bool Attempted, decimal? AmountYuan,
    int ProjectId, string ProjectName, int? BuildingId, string? BuildingName, string Location, string Description,
    int ResponsibleDepartmentId, string DepartmentName, string DepartmentNameEn, int? ManagerUserId,
    DateTimeOffset OccurredAt, int ReportedBy, string ReportedByName, DateTimeOffset ReportedAt, DateTimeOffset OnSiteDueAt,
    DateTimeOffset? ArrivedAt, string? ArrivedByName, string? Cause, string? Scope, string? Response);

public sealed record EmergencyEvent(long Id, DateTimeOffset At, string Kind, int? UserId, string? UserName, string Details);

public sealed record EmergencyAlertRow(long Id, int UserId, string UserName, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt);

public static class EmergencyStates
{
    public const string Reported = "reported";
    public const string OnSite = "on_site";
}


/// <summary>Pushes saved alerts to people's screens (SignalR in the app). Called only after the alerts are committed.</summary>
public interface IEmergencyNotifier
{
    Task AlertsAsync(IReadOnlyList<AlertMessage> alerts, CancellationToken ct = default);

    /// <summary>An alert was acknowledged (or the emergency reached its site): the person's other screens drop it.</summary>
    Task AcknowledgedAsync(int userId, IReadOnlyList<long> alertIds, CancellationToken ct = default);
}

/// <summary>Schedules the 60/90-minute reminders and the 2-hour escalation of a new emergency (Hangfire in the jobs).</summary>
public interface IEmergencyScheduler
{
    void ScheduleFollowUps(int emergencyId, DateTimeOffset reportedAt);
}

public sealed class NoEmergencyNotifier : IEmergencyNotifier
{
    public Task AlertsAsync(IReadOnlyList<AlertMessage> alerts, CancellationToken ct = default) => Task.CompletedTask;
    public Task AcknowledgedAsync(int userId, IReadOnlyList<long> alertIds, CancellationToken ct = default) => Task.CompletedTask;
}

public sealed class NoEmergencyScheduler : IEmergencyScheduler
{
    public void ScheduleFollowUps(int emergencyId, DateTimeOffset reportedAt) { }
}
