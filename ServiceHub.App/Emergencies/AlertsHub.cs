using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Emergencies;

namespace ServiceHub.App.Emergencies;

/// <summary>What the hub calls on a screen.</summary>
public interface IAlertsClient
{
    /// <summary>
    /// A new (or not yet acknowledged) alert for this person. A screen shows each <see cref="ScreenAlert.BatchId"/> once. Sent as
    /// one message to every screen of the people it names, so it carries nothing personal.
    /// </summary>
    Task EmergencyAlert(ScreenAlert alert);

    /// <summary>Alerts this person acknowledged elsewhere (another tab or device), by <see cref="ScreenAlert.BatchId"/>: drop them.</summary>
    Task AlertsAcknowledged(long[] batchIds);

    /// <summary>A call rings at this person's extension (the CTI's <c>POST /api/v1/calls</c>): the screen pops the caller's dossier up.</summary>
    Task ScreenPop(ScreenPopMessage call);
}

/// <summary>A call for the screen pop: the screen then reads the dossier as its signed-in agent (<c>CallRepository.DossierAsync</c>).</summary>
public sealed record ScreenPopMessage(long CallId, string CallerPhoneMasked, DateTimeOffset StartedAt, int? CustomerId, string? CustomerName);

/// <summary>
/// <c>/hubs/alerts</c>: signed-in people only. Each connection joins the group of its own person, <c>user:{id}</c>, with the id
/// taken from the auth cookie on the server (never chosen by the client); an alert goes, as one message serialised once, to the
/// groups of the people it names (an O(1) look-up each, where <c>Clients.User</c> scans every connection). What reaches a screen
/// is only what its own person was alerted to. On every (re)connection the person gets every alert they have not acknowledged, so
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
                await Clients.Caller.EmergencyAlert(alert.ToScreen());
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

    /// <summary>
    /// Acknowledges the caller's own alert as their screen shows it (<see cref="ScreenAlert.BatchId"/> and
    /// <see cref="ScreenAlert.EmergencyId"/>); who and when are recorded. False when it is not their own pending alert.
    /// </summary>
    public async Task<bool> Acknowledge(long batchId, int emergencyId) =>
        Context.User?.ToActor() is { } actor && await emergencies.AcknowledgeOnScreenAsync(actor, batchId, emergencyId, Context.ConnectionAborted);
}
