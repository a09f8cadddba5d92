using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// Listens on PostgreSQL's <c>servicehub_outbox</c> channel (the outbox table's trigger announces committed rows) and wakes the
/// delivery job, so a message goes out seconds after its event commits — from any writer, on any instance. At start (and after a lost
/// connection) it wakes the job once: messages queued before a crash go out without waiting for the minute. Also writes the robots
/// named in the configuration to the table at start.
/// </summary>
public sealed class OutboxListener(NpgsqlDataSource db, OutboxSignal signal, ChannelSettings settings, ILogger<OutboxListener> log) : BackgroundService
{
    public const string Channel = "servicehub_outbox";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var robots = await settings.SyncConfiguredRobotsAsync(stoppingToken);
            if (robots > 0) log.LogInformation("{Count} robots from the configuration", robots);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError(ex, "The robots of the configuration could not be written");
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stoppingToken);
                conn.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                Wake();
                while (!stoppingToken.IsCancellationRequested) await conn.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Listening for outbox messages failed; listening again shortly (the minutely run delivers meanwhile)");
                try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Wake()
    {
        try { signal.Wake(); }
        catch (Exception ex) { log.LogWarning(ex, "Waking the outbox delivery failed; the minutely run delivers"); }
    }
}
