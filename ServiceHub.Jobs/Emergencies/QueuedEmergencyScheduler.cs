using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Emergencies;

namespace ServiceHub.Jobs.Emergencies;

/// <summary>
/// The report's follow-ups scheduled after the report has returned (issue #14 point 7): scheduling three Hangfire jobs takes a dozen
/// round trips and commits to Hangfire's storage, 50–300 ms on a loaded machine, which the reporter and the alerted screens no
/// longer wait for. The jobs are scheduled here, in order, by <see cref="HangfireEmergencyScheduler"/>; should that fail, or the
/// process stop first, the minutely sweep (<see cref="EmergencySweepJob"/>) does the follow-ups when they are due, as before.
/// </summary>
public sealed class QueuedEmergencyScheduler(HangfireEmergencyScheduler hangfire, ILogger<QueuedEmergencyScheduler> log)
    : BackgroundService, IEmergencyScheduler
{
    private readonly Channel<(int EmergencyId, DateTimeOffset OccurredAt)> _queue =
        Channel.CreateUnbounded<(int, DateTimeOffset)>(new UnboundedChannelOptions { SingleReader = true });

    public void ScheduleFollowUps(int emergencyId, DateTimeOffset occurredAt) => _queue.Writer.TryWrite((emergencyId, occurredAt));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (id, occurredAt) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try { hangfire.ScheduleFollowUps(id, occurredAt); }
            catch (Exception ex)
            {
                log.LogError(ex, "Scheduling the follow-ups of emergency {Id} failed; the sweep will do them", id);
            }
        }
    }
}
