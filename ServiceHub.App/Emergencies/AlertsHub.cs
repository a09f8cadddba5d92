using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Emergencies;

namespace ServiceHub.App.Emergencies;

/// <summary>What the hub calls on a screen.</summary>
public interface IAlertsClient
{
    /// <summary>A new (or not yet acknowledged) alert for this person. A screen shows each <see cref="AlertMessage.AlertId"/> once.</summary>
    Task EmergencyAlert(AlertMessage alert);

    /// <summary>Alerts this person acknowledged elsewhere (another tab or device): drop them.</summary>
    Task AlertsAcknowledged(long[] alertIds);
}

/// <summary>
/// <c>/hubs/alerts</c>: signed-in people only. A connection is addressed by its user id, taken from the auth cookie on the
/// server (never chosen by the client). On every (re)connection the person gets every alert they have not acknowledged, so
/// nothing is lost while offline or between a dropped connection and its reconnection.
/// </summary>
[Authorize]
public sealed class AlertsHub(EmergencyRepository emergencies) : Hub<IAlertsClient>
{
    public const string Path = "/hubs/alerts";

    public override async Task OnConnectedAsync()
    {
        // The connection is already registered for its user, so an alert pushed from now on reaches it; one pushed
        // between registration and this query arrives twice and the screen shows it once.
        if (Context.User?.UserId() is { } userId)
            foreach (var alert in await emergencies.PendingAlertsAsync(userId, Context.ConnectionAborted))
                await Clients.Caller.EmergencyAlert(alert);
        await base.OnConnectedAsync();
    }

    /// <summary>Acknowledges one of the caller's own alerts (who and when are recorded).</summary>
    public async Task<bool> Acknowledge(long alertId) =>
        Context.User?.ToActor() is { } actor && await emergencies.AcknowledgeAsync(actor, alertId, Context.ConnectionAborted);
}

/// <summary>Pushes saved alerts through the hub to each person's connections, on whichever instance they are (Redis backplane).</summary>
public sealed class HubEmergencyNotifier(IHubContext<AlertsHub, IAlertsClient> hub) : IEmergencyNotifier
{
    public Task AlertsAsync(IReadOnlyList<AlertMessage> alerts, CancellationToken ct = default) =>
        Task.WhenAll(alerts.Select(a => hub.Clients.User(a.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)).EmergencyAlert(a)));

    public Task AcknowledgedAsync(int userId, IReadOnlyList<long> alertIds, CancellationToken ct = default) =>
        hub.Clients.User(userId.ToString(System.Globalization.CultureInfo.InvariantCulture)).AlertsAcknowledged([.. alertIds]);
}
