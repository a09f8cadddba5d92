using Hangfire;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Jobs.Emergencies;

/// <summary>
/// One follow-up of an emergency (reminder at 60 / 90 minutes, escalation at 2 hours), as a Hangfire delayed job.
/// Idempotent in SQL (see <see cref="EmergencyRepository.FollowUpAsync"/>): a retry, a second server or the sweep never repeats it.
/// </summary>
public sealed class EmergencyFollowUpJob(EmergencyRepository emergencies)
{
    [AutomaticRetry(Attempts = 5)]
    public Task RunAsync(int emergencyId, string step, CancellationToken ct) => emergencies.FollowUpAsync(emergencyId, step, ct);
}

/// <summary>The safety net, every minute: a follow-up whose delayed job was lost still happens.</summary>
public sealed class EmergencySweepJob(EmergencyRepository emergencies)
{
    public const string Id = "emergencies:follow-up-sweep";

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken ct) => emergencies.SweepAsync(ct);
}

/// <summary>
/// Schedules the follow-ups of a new emergency at their due times, counted from when it happened (Hangfire's PostgreSQL storage:
/// one server takes each job). A step already due when it is reported is done by the report itself; its job then changes nothing.
/// </summary>
public sealed class HangfireEmergencyScheduler(IBackgroundJobClient jobs) : IEmergencyScheduler
{
    public void ScheduleFollowUps(int emergencyId, DateTimeOffset occurredAt)
    {
        foreach (var (step, after) in EmergencyRules.FollowUps)
            jobs.Schedule<EmergencyFollowUpJob>(j => j.RunAsync(emergencyId, step, CancellationToken.None), occurredAt + after);
    }
}
