using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Intake;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Intake;

/// <summary>Every 5 minutes: the hand-overs not taken up in time are flagged to their first responder and put before HR (idempotent in SQL).</summary>
public sealed class HandOverJob(HandOverSweep sweep, ILogger<HandOverJob> log)
{
    public const string Id = "intake-handovers-overdue";

    /// <summary>Every five minutes, Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing("*/5 * * * *");

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<HandOverJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var flagged = await sweep.RunAsync(ct);
        if (flagged > 0) log.LogInformation("Hand-overs not taken up in time: {Flagged} flagged", flagged);
    }
}
