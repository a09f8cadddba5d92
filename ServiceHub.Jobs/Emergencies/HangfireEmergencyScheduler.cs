using Hangfire;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Jobs.Emergencies;

/// <summary>Schedules the follow-ups of a new emergency at their due times (Hangfire's PostgreSQL storage: one server takes each job).</summary>
public sealed class HangfireEmergencyScheduler(IBackgroundJobClient jobs) : IEmergencyScheduler
{
    public void ScheduleFollowUps(int emergencyId, DateTimeOffset reportedAt)
    {
        foreach (var (step, after) in EmergencyRules.FollowUps)
            jobs.Schedule<EmergencyFollowUpJob>(j => j.RunAsync(emergencyId, step, CancellationToken.None), reportedAt + after);
    }
}
