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
/// nothing is lost while offline, between a dropped connection and its reconnection, or while the instances' link (Redis) is down.
/// Groups and pushes stay inside the instance (SignalR's in-process lifetime manager); other instances are reached through the
/// <see cref="AlertsBackplane"/>, so a connection never waits on Redis.
/// </summary>
[Authorize]
public sealed class AlertsHub(EmergencyRepository emergencies, LocalAlerts local) : Hub<IAlertsClient>
{
    public const string Path = "/hubs/alerts";
    private const string UserKey = "user";

    public static string UserGroup(int userId) => "user:" + userId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override async Task OnConnectedAsync()
    {
        if (Context.User?.UserId() is not { } userId) { Context.Abort(); return; }
        // In the group first, so an alert pushed from now on reaches this connection; one pushed between joining and the
        // query below arrives twice, and the screen shows each alert id once.
        await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(userId), Context.ConnectionAborted);
        Context.Items[UserKey] = userId;
        local.Connected(userId);
        try
        {
            foreach (var alert in await emergencies.PendingAlertsAsync(userId, Context.ConnectionAborted))
                await Clients.Caller.EmergencyAlert(alert);
        }
        catch
        {
            local.Disconnected(userId); // the connection is refused: SignalR calls no OnDisconnectedAsync for it
            throw;
        }
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(UserKey, out var id) && id is int userId) local.Disconnected(userId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>Acknowledges one of the caller's own alerts (who and when are recorded).</summary>
    public async Task<bool> Acknowledge(long alertId) =>
        Context.User?.ToActor() is { } actor && await emergencies.AcknowledgeAsync(actor, alertId, Context.ConnectionAborted);
}
