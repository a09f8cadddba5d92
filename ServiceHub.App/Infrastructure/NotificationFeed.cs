using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// Live notifications inside the app: the bell and the lists that show a person's notifications subscribe for that person and are
/// called when new ones are committed for them (from any writer: a page, a job, another instance — see
/// <see cref="NotificationListener"/>).
/// </summary>
public sealed class NotificationFeed(ILogger<NotificationFeed> log)
{
    private readonly ConcurrentDictionary<int, ConcurrentDictionary<Guid, Func<Task>>> _subscribers = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the listener listens: from then on every committed notification is pushed.</summary>
    public Task Listening => _listening.Task;

    internal void MarkListening() => _listening.TrySetResult();

    /// <summary>Calls <paramref name="changed"/> whenever a notification for <paramref name="userId"/> is committed; dispose to stop.</summary>
    public IDisposable Subscribe(int userId, Func<Task> changed)
    {
        var id = Guid.NewGuid();
        _subscribers.GetOrAdd(userId, _ => new())[id] = changed;
        return new Subscription(() =>
        {
            if (_subscribers.TryGetValue(userId, out var mine)) mine.TryRemove(id, out _);
        });
    }

    /// <summary>
    /// A payload of the channel: the ids of the people concerned, comma-separated, or "*" for everyone (a large batch, or a
    /// reconnection after which anything may have been missed).
    /// </summary>
    public void Publish(string payload)
    {
        var targets = payload == "*"
            ? _subscribers.Values.SelectMany(s => s.Values)
            : payload.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : (int?)null)
                .Where(id => id is not null && _subscribers.ContainsKey(id.Value))
                .SelectMany(id => _subscribers[id!.Value].Values);
        foreach (var changed in targets.ToList()) _ = RunAsync(changed);
    }

    private async Task RunAsync(Func<Task> changed)
    {
        try { await changed(); }
        catch (Exception ex) { log.LogWarning(ex, "A notification subscriber failed"); }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;
        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

/// <summary>
/// Listens on PostgreSQL's <c>servicehub_notifications</c> channel (announced by the <c>notifications</c> table's trigger when a batch
/// is committed) and passes each announcement to the <see cref="NotificationFeed"/>. Every instance listens to the same database, so a
/// notification written anywhere reaches the bell of its person on whichever instance they are connected. A lost connection is opened
/// again and everyone's bell refreshes, so nothing missed meanwhile stays unseen.
/// </summary>
public sealed class NotificationListener(NpgsqlDataSource db, NotificationFeed feed, ILogger<NotificationListener> log) : BackgroundService
{
    public const string Channel = "servicehub_notifications";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reconnecting = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stoppingToken);
                conn.Notification += (_, e) => feed.Publish(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                if (reconnecting) feed.Publish("*");
                reconnecting = false;
                feed.MarkListening();
                while (!stoppingToken.IsCancellationRequested) await conn.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Listening for notifications failed; listening again shortly");
                reconnecting = true;
                try { await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
