using Hangfire;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Jobs.Emergencies;

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
