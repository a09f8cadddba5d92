namespace ServiceHub.Data.Emergencies;

/// <summary>One person's alert (their own <see cref="AlertId"/>, <see cref="AlertIds"/>), as caught up on connect.</summary>
public sealed record AlertMessage(
    long AlertId, int UserId, string Reason, int EmergencyId, string Kind, string? KindDetail,
    string ProjectName, string? BuildingName, string Location, string Description,
    string DepartmentName, string DepartmentNameEn,
    DateTimeOffset OccurredAt, DateTimeOffset ReportedAt, DateTimeOffset OnSiteDueAt, DateTimeOffset CreatedAt)
{
    /// <summary>This alert as its person's screen gets it (keyed by its alert row: the person is the one signed in).</summary>
    public ScreenAlert ToScreen() => new(
        AlertIds.Split(AlertId).BatchId, Reason, EmergencyId, Kind, KindDetail, ProjectName, BuildingName, Location, Description,
        DepartmentName, DepartmentNameEn, OccurredAt, ReportedAt, OnSiteDueAt, CreatedAt);
}

/// <summary>
/// An alert as a screen shows it: the same for every person it names, so one serialised message reaches all of them (issue #14
/// point 7). <see cref="BatchId"/> is the alert row (one emergency and reason, sql/0260); with the person signed in on that screen it
/// names their own alert, which the screen shows once and acknowledges (<see cref="EmergencyRepository.AcknowledgeOnScreenAsync"/>).
/// </summary>
public sealed record ScreenAlert(
    long BatchId, string Reason, int EmergencyId, string Kind, string? KindDetail,
    string ProjectName, string? BuildingName, string Location, string Description,
    string DepartmentName, string DepartmentNameEn,
    DateTimeOffset OccurredAt, DateTimeOffset ReportedAt, DateTimeOffset OnSiteDueAt, DateTimeOffset CreatedAt);

/// <summary>One alert for the people it names, in their order: one alert row as saved, pushed as one message to all their screens.</summary>
public sealed record AlertBatch(ScreenAlert Alert, int[] UserIds)
{
    /// <summary>People's own alerts (caught up from the database) gathered by alert row, in the order of their first alert.</summary>
    public static AlertBatch[] Of(IEnumerable<AlertMessage> alerts) =>
        [.. alerts.GroupBy(a => AlertIds.Split(a.AlertId).BatchId)
            .Select(g => new AlertBatch(g.First().ToScreen(), [.. g.Select(a => a.UserId).Distinct()]))];
}

/// <summary>A row of the emergency list; <see cref="Confirmation"/> is the CS supervisor's decision on an "other" event (null otherwise).</summary>
public sealed record EmergencySummary(
    int Id, string Kind, string? KindDetail, string? Confirmation, string State, string ProjectName, string? BuildingName, string Location,
    string DepartmentName, string DepartmentNameEn, DateTimeOffset OccurredAt, DateTimeOffset ReportedAt,
    DateTimeOffset OnSiteDueAt, DateTimeOffset? ArrivedAt, string ReportedByName, DateTimeOffset? EscalatedAt)
{
    public TimeSpan ReportDelay => EmergencyRules.ReportDelay(OccurredAt, ReportedAt);
    public ReportLateness Lateness => EmergencyRules.Lateness(OccurredAt, ReportedAt);
}

/// <summary>
/// One emergency: the report, the arrival (<see cref="ArrivedAt"/> as stated, <see cref="ArrivalRecordedAt"/> when it was recorded),
/// the findings (saved separately, possibly later) and, for an "other" event, the CS supervisor's decision.
/// </summary>
public sealed record EmergencyDetail(
    int Id, string Kind, string? KindDetail, string State, bool Attempted, decimal? AmountYuan,
    int ProjectId, string ProjectName, int? BuildingId, string? BuildingName, string Location, string Description,
    int ResponsibleDepartmentId, string DepartmentName, string DepartmentNameEn, int? ManagerUserId,
    DateTimeOffset OccurredAt, int ReportedBy, string ReportedByName, DateTimeOffset ReportedAt, DateTimeOffset OnSiteDueAt,
    DateTimeOffset? ArrivedAt, string? ArrivedByName, DateTimeOffset? ArrivalRecordedAt,
    string? Cause, string? Scope, string? Response, DateTimeOffset? FindingsAt, string? FindingsByName,
    string? Confirmation, string? ConfirmedByName, DateTimeOffset? ConfirmedAt, string? ConfirmationNote)
{
    public TimeSpan ReportDelay => EmergencyRules.ReportDelay(OccurredAt, ReportedAt);
    public ReportLateness Lateness => EmergencyRules.Lateness(OccurredAt, ReportedAt);
}

public sealed record EmergencyEvent(long Id, DateTimeOffset At, string Kind, int? UserId, string? UserName, string Details);

public sealed record EmergencyAlertRow(long Id, int UserId, string UserName, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt);

public static class EmergencyStates
{
    public const string Reported = "reported";
    public const string OnSite = "on_site";
}

/// <summary>The list's filters besides the states.</summary>
public static class EmergencyListFilters
{
    /// <summary>"Other" events awaiting the CS supervisor's confirmation.</summary>
    public const string Unconfirmed = "unconfirmed";

    /// <summary>Awaiting the manager's arrival: reported, and not an "other" event the CS supervisor judged not first-class.</summary>
    public const string Awaiting = "awaiting";
}

/// <summary>
/// The list's predicates over <c>emergencies e</c>, shared by the list (<see cref="EmergencyRepository.ListAsync"/>) and the home page's
/// figures (<c>Home/WorkSummary</c>), so that a figure counts exactly what the list it links to shows.
/// </summary>
public static class EmergencySql
{
    /// <summary>Awaiting the manager's arrival (<see cref="EmergencyListFilters.Awaiting"/>): off the two-hour clock once judged not first-class.</summary>
    public const string AwaitingArrival = "e.state = 'reported' AND e.confirmation IS DISTINCT FROM 'not_first_class'";

    /// <summary>An "other" event awaiting the CS supervisor's confirmation (<see cref="EmergencyListFilters.Unconfirmed"/>).</summary>
    public const string AwaitingConfirmation = "e.confirmation = 'pending'";
}


/// <summary>Pushes saved alerts to people's screens (SignalR in the app). Called only after the alerts are committed.</summary>
public interface IEmergencyNotifier
{
    /// <summary>Each alert (one per alert row) to the screens of the people it names.</summary>
    Task AlertsAsync(IReadOnlyList<AlertBatch> alerts, CancellationToken ct = default);

    /// <summary>An alert was acknowledged (or the emergency reached its site): the person's other screens drop it.</summary>
    Task AcknowledgedAsync(int userId, IReadOnlyList<long> alertIds, CancellationToken ct = default);
}

/// <summary>Schedules the 60/90-minute reminders and the 2-hour escalation of a new emergency, counted from when it happened (Hangfire in the jobs).</summary>
public interface IEmergencyScheduler
{
    void ScheduleFollowUps(int emergencyId, DateTimeOffset occurredAt);
}

public sealed class NoEmergencyNotifier : IEmergencyNotifier
{
    public Task AlertsAsync(IReadOnlyList<AlertBatch> alerts, CancellationToken ct = default) => Task.CompletedTask;
    public Task AcknowledgedAsync(int userId, IReadOnlyList<long> alertIds, CancellationToken ct = default) => Task.CompletedTask;
}

public sealed class NoEmergencyScheduler : IEmergencyScheduler
{
    public void ScheduleFollowUps(int emergencyId, DateTimeOffset occurredAt) { }
}
