using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Complaints;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Complaints;

/// <summary>Every minute: warnings before, and escalations after, complaint deadlines (the sweep itself is idempotent).</summary>
public sealed class EscalationJob(EscalationSweep sweep, ILogger<EscalationJob> log)
{
    public const string Id = "complaints-escalation";

    /// <summary>Every minute, Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing(Cron.Minutely());

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<EscalationJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var r = await sweep.RunAsync(ct);
        if (r.StagesAdvanced > 0) log.LogInformation("Escalation sweep: {Stages} deadline stages, {Notifications} notifications", r.StagesAdvanced, r.Notifications);
    }
}
