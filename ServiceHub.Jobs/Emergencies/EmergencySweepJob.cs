using Hangfire;
using ServiceHub.Data.Emergencies;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Emergencies;

/// <summary>The safety net, every minute: a follow-up whose delayed job was lost still happens.</summary>
public sealed class EmergencySweepJob(EmergencyRepository emergencies)
{
    public const string Id = "emergencies:follow-up-sweep";

    /// <summary>Every minute, Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing(Cron.Minutely());

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<EmergencySweepJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken ct) => emergencies.SweepAsync(ct);
}
