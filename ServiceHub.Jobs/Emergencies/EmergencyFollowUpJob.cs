using Hangfire;
using ServiceHub.Data.Emergencies;

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
