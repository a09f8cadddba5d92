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

    /// <summary>A call rings at this person's extension (the CTI's <c>POST /api/v1/calls</c>): the screen pops the caller's dossier up.</summary>
    Task ScreenPop(ScreenPopMessage call);
}

/// <summary>A call for the screen pop: the screen then reads the dossier as its signed-in agent (<c>CallRepository.DossierAsync</c>).</summary>
public sealed record ScreenPopMessage(long CallId, string CallerPhoneMasked, DateTimeOffset StartedAt, int? CustomerId, string? CustomerName);

/// <summary>
/// <c>/hubs/alerts</c>: signed-in people only. Each connection joins the group of its own person, <c>user:{id}</c>, with the id
/// taken from the auth cookie on the server (never chosen by the client); alerts go to that group (an O(1) look-up, where
/// <c>Clients.User</c> scans every connection). On every (re)connection the person gets every alert they have not acknowledged, so
/// nothing is lost while offline or between a dropped connection and its reconnection.
/// </summary>
[Authorize]
public sealed class AlertsHub(EmergencyRepository emergencies) : Hub<IAlertsClient>
{
    public const string Path = "/hubs/alerts";

    public static string UserGroup(int userId) => "user:" + userId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override async Task OnConnectedAsync()
    {
        if (Context.User?.UserId() is not { } userId) { Context.Abort(); return; }
        // In the group first, so an alert pushed from now on reaches this connection; one pushed between joining and the
        // query below arrives twice, and the screen shows each alert id once.
        await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(userId), Context.ConnectionAborted);
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
        Task.WhenAll(alerts.Select(a => hub.Clients.Group(AlertsHub.UserGroup(a.UserId)).EmergencyAlert(a)));

    public Task AcknowledgedAsync(int userId, IReadOnlyList<long> alertIds, CancellationToken ct = default) =>
        hub.Clients.Group(AlertsHub.UserGroup(userId)).AlertsAcknowledged([.. alertIds]);
}
