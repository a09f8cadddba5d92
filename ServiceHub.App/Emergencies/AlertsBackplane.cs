using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using ServiceHub.Data.Emergencies;
using StackExchange.Redis;

namespace ServiceHub.App.Emergencies;

/// <summary>
/// This instance's side of the alerts hub: who is connected here (<see cref="Users"/>, kept by <see cref="AlertsHub"/>) and the
/// pushes to them, straight through SignalR's in-process lifetime manager — so a screen on this instance gets what this instance
/// raises whether Redis is there or not.
/// </summary>
public sealed class LocalAlerts(IHubContext<AlertsHub, IAlertsClient> hub)
{
    private readonly ConcurrentDictionary<int, int> _connections = new();

    /// <summary>The people with at least one connection to this instance now.</summary>
    public IReadOnlyCollection<int> Users => [.. _connections.Keys];

    /// <summary>Called by the hub after the connection joined its person's group and before it reads their pending alerts.</summary>
    internal void Connected(int userId) => _connections.AddOrUpdate(userId, 1, (_, n) => n + 1);

    internal void Disconnected(int userId)
    {
        while (_connections.TryGetValue(userId, out var n))
            if (n <= 1 ? _connections.TryRemove(KeyValuePair.Create(userId, n)) : _connections.TryUpdate(userId, n - 1, n)) return;
    }

    /// <summary>
    /// Each alert, as one message (serialised once), to the screens here of the people it names; people with no connection here are
    /// left out before anything is sent. (A connection counts from just after it joined its group: one joining while this runs reads
    /// the alert from the database.)
    /// </summary>
    public Task AlertsAsync(IEnumerable<AlertBatch> alerts) => Task.WhenAll(alerts.Select(b =>
    {
        var here = PeopleHere(b.UserIds);
        return here.Count == 0 ? Task.CompletedTask : hub.Clients.Groups(here).EmergencyAlert(b.Alert);
    }));

    private List<string> PeopleHere(int[] userIds)
    {
        var groups = new List<string>(Math.Min(userIds.Length, _connections.Count));
        foreach (var id in userIds)
            if (_connections.ContainsKey(id)) groups.Add(AlertsHub.UserGroup(id));
        return groups;
    }

    public Task AcknowledgedAsync(int userId, long[] batchIds) => hub.Clients.Group(AlertsHub.UserGroup(userId)).AlertsAcknowledged(batchIds);

    public Task ScreenPopAsync(int userId, ScreenPopMessage call) => hub.Clients.Group(AlertsHub.UserGroup(userId)).ScreenPop(call);
}

/// <summary>
/// Pushes saved alerts, acknowledgements and screen pops to people's screens: to those connected to this instance
/// (<see cref="LocalAlerts"/>) and, for the people on the other instances, through the <see cref="AlertsBackplane"/>. Alerts are
/// published first (publishing never waits on Redis), so the other instances' screens do not wait for this instance's pushes.
/// An alert crosses Redis and reaches the screens as it was saved: once, with the people it names (<see cref="AlertBatch"/>).
/// </summary>
public sealed class AlertsPush(LocalAlerts local, AlertsBackplane backplane) : IEmergencyNotifier
{
    public async Task AlertsAsync(IReadOnlyList<AlertBatch> alerts, CancellationToken ct = default)
    {
        if (backplane.Enabled) backplane.Publish(new BackplaneMessage(BackplaneKinds.Alerts, Batches: [.. alerts]));
        await local.AlertsAsync(alerts);
    }

    /// <summary>Screens name a person's alert by its row (<see cref="ScreenAlert.BatchId"/>): the acknowledged alert ids are told so.</summary>
    public async Task AcknowledgedAsync(int userId, IReadOnlyList<long> alertIds, CancellationToken ct = default)
    {
        long[] batchIds = [.. alertIds.Select(a => AlertIds.Split(a).BatchId).Distinct()];
        await local.AcknowledgedAsync(userId, batchIds);
        backplane.Publish(new BackplaneMessage(BackplaneKinds.Acknowledged, UserId: userId, BatchIds: batchIds));
    }

    /// <summary>A call rings at <paramref name="userId"/>'s extension: their screen, on whichever instance, pops the caller up.</summary>
    public async Task ScreenPopAsync(int userId, ScreenPopMessage call)
    {
        await local.ScreenPopAsync(userId, call);
        backplane.Publish(new BackplaneMessage(BackplaneKinds.ScreenPop, UserId: userId, Call: call));
    }
}

/// <summary>What one instance tells the others (a <see cref="BackplaneKinds"/>). <see cref="Origin"/> is set by the <see cref="AlertsBackplane"/> that publishes it.</summary>
public sealed record BackplaneMessage(string Kind, AlertBatch[]? Batches = null, int UserId = 0, long[]? BatchIds = null,
    ScreenPopMessage? Call = null, string Origin = "", bool MissedSome = false);

public static class BackplaneKinds
{
    /// <summary>
    /// Alerts as <see cref="AlertBatch"/>es: one alert with the people it names (named apart from the earlier "alerts" and
    /// "alert-batches", per-person shapes, which an instance of this version ignores, and which ignore this).
    /// </summary>
    public const string Alerts = "alerts-once";

    /// <summary>A person's acknowledged alerts, by alert row (<see cref="ScreenAlert.BatchId"/>; before, "acknowledged" by alert id).</summary>
    public const string Acknowledged = "acknowledged-rows";
    public const string ScreenPop = "screen-pop";

    /// <summary>"I am (back) on the link": instances catch their own screens up from the database (see <see cref="AlertsBackplane"/>).</summary>
    public const string CatchUp = "catch-up";
}

/// <summary>
/// Carries the alerts hub's pushes between instances over Redis pub/sub (<c>SignalR:Redis</c>, a StackExchange.Redis connection
/// string; one instance needs none). Nothing of an instance's own screens depends on it: <see cref="AlertsPush"/> delivers to them
/// in process and publishes here only for the others (an alert once, with the people it names: <see cref="AlertBatch"/>); the alerts themselves are rows, saved
/// before any push.
/// <list type="bullet">
/// <item>Redis down: nothing is published (at once, no waiting on a dead link); screens on the raising instance get their alerts
/// live, screens elsewhere get them from the database when they (re)connect (<see cref="AlertsHub.OnConnectedAsync"/>).</item>
/// <item>Redis back: StackExchange.Redis reconnects (every second) and subscribes again; the instance then announces itself
/// (<see cref="BackplaneKinds.CatchUp"/>) until it hears its own announcement back (<see cref="Live"/>: both directions work),
/// and catches up every person connected to it with their unacknowledged alerts. An instance that could not publish meanwhile says
/// so in its announcement, and the others catch up their own screens too. Live delivery then goes on — no restart. A screen shows
/// each alert id once, so what arrives twice (live and caught up) shows once.</item>
/// </list>
/// An acknowledgement made while Redis was down does not reach the other instances' screens: the alert stays on them until the page
/// is loaded again or it is acknowledged there (which then only removes it).
/// </summary>
public sealed class AlertsBackplane(IConfiguration configuration, LocalAlerts local, IServiceProvider services, ILogger<AlertsBackplane> log)
    : BackgroundService
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("servicehub:alerts");

    /// <summary>How often a link that is not live is looked at (real time: it is about the network, not business time).</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string? _redisConfiguration = configuration["SignalR:Redis"] is { Length: > 0 } c ? c : null;
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private ConnectionMultiplexer? _redis;
    private volatile bool _live;
    private volatile bool _missedSome;

    /// <summary>Redis is configured: there are other instances to tell.</summary>
    public bool Enabled => _redisConfiguration is not null;

    /// <summary>Publishing and receiving through Redis now (false without Redis, while it is down, and until the instance has heard itself back).</summary>
    public bool Live => _live;

    /// <summary>Tells the other instances (never waits for Redis; a message that cannot go now is caught up when the link is back).</summary>
    public void Publish(BackplaneMessage message)
    {
        if (!Enabled) return;
        if (_redis is not { IsConnected: true } redis) { _missedSome = true; return; }
        _ = PublishAsync(redis, message with { Origin = _origin });
    }

    private async Task PublishAsync(ConnectionMultiplexer redis, BackplaneMessage message)
    {
        try { await redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(message, Json)); }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            _missedSome = true;
            log.LogWarning("Alerts backplane: could not publish to Redis ({Error}); the other instances' screens catch up when it is back", ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_redisConfiguration is null) return;
        var options = ConfigurationOptions.Parse(_redisConfiguration);
        options.AbortOnConnectFail = false; // start without Redis, connect when it comes
        options.BacklogPolicy = BacklogPolicy.FailFast; // Redis down: fail at once, never hold a push back
        options.ReconnectRetryPolicy = new LinearRetry((int)CheckEvery.TotalMilliseconds);
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
        _redis.ConnectionFailed += (_, e) =>
        {
            if (!_live) return;
            _live = false;
            log.LogWarning("Alerts backplane: Redis unreachable ({Failure}); alerts reach this instance's screens only until it is back", e.FailureType);
        };

        var subscribed = false;
        using var timer = new PeriodicTimer(CheckEvery);
        do
        {
            if (_live || !_redis.IsConnected) continue;
            try
            {
                // Subscribed once: StackExchange.Redis subscribes again by itself after every reconnection.
                if (!subscribed) await _redis.GetSubscriber().SubscribeAsync(Channel, (_, value) => Received(value));
                subscribed = true;
                await _redis.GetSubscriber().PublishAsync(Channel,
                    JsonSerializer.Serialize(new BackplaneMessage(BackplaneKinds.CatchUp, Origin: _origin, MissedSome: _missedSome), Json));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                log.LogDebug("Alerts backplane: Redis not ready yet ({Error})", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Received(RedisValue value)
    {
        BackplaneMessage? message;
        try { message = JsonSerializer.Deserialize<BackplaneMessage>((string)value!, Json); }
        catch (JsonException ex) { log.LogWarning(ex, "Alerts backplane: a message that is not ours on {Channel}", Channel); return; }
        if (message is not null) _ = HandleAsync(message);
    }

    private async Task HandleAsync(BackplaneMessage m)
    {
        try
        {
            var mine = m.Origin == _origin;
            if (m.Kind == BackplaneKinds.CatchUp)
            {
                if (mine && !_live)
                {
                    _live = true;
                    _missedSome = false;
                    log.LogInformation("Alerts backplane: live through Redis; catching up the screens connected here");
                }
                if (mine || m.MissedSome) await CatchUpAsync();
                return;
            }
            if (mine) return; // delivered here before it was published
            await (m.Kind switch
            {
                BackplaneKinds.Alerts => local.AlertsAsync(m.Batches ?? []),
                BackplaneKinds.Acknowledged => local.AcknowledgedAsync(m.UserId, m.BatchIds ?? []),
                BackplaneKinds.ScreenPop when m.Call is not null => local.ScreenPopAsync(m.UserId, m.Call),
                _ => Task.CompletedTask,
            });
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Alerts backplane: a {Kind} message could not be delivered here", m.Kind);
        }
    }

    /// <summary>Every person connected here gets their unacknowledged alerts again (their screens show each once).</summary>
    private async Task CatchUpAsync()
    {
        var users = local.Users;
        if (users.Count == 0) return;
        // Resolved when needed: the repository's notifier publishes through this backplane.
        var emergencies = services.GetRequiredService<EmergencyRepository>();
        await local.AlertsAsync(AlertBatch.Of(await emergencies.PendingAlertsAsync(users)));
    }

    public override void Dispose()
    {
        _redis?.Dispose();
        base.Dispose();
    }
}
