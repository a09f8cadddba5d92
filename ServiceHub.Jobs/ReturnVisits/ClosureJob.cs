using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.ReturnVisits;

/// <summary>
/// Every ten minutes: one-week auto-closure, closures that waited for a root cause, missed callback reminders (idempotent in SQL).
/// A database error is retried soon (15 s, 1 min, 5 min), not at the next ten-minute run; after the last retry the failure goes to
/// the administrators (<see cref="Infrastructure.JobFailureFilter"/>).
/// </summary>
public sealed class ClosureJob(ClosureSweep sweep, ILogger<ClosureJob> log)
{
    public const string Id = "complaints-closure";

    /// <summary>Every ten minutes, Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing("*/10 * * * *");

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<ClosureJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [15, 60, 300])]
    public async Task RunAsync(CancellationToken ct)
    {
        var r = await sweep.RunAsync(ct);
        if (r.Skipped)
            log.LogInformation("Closure sweep stepped aside for some batches: another session holds its lock (another server's sweep, or a killed one's session not yet ended); the next run closes the rest");
        if (r.ClosedOneWeek + r.ClosedAfterReturnVisit + r.RemindersSent > 0 || r.AwaitingClassification > 0)
            log.LogInformation("Closure sweep: {OneWeek} closed after one week, {AfterVisit} after a satisfied return visit, {Reminders} reminders, {Awaiting} awaiting classification",
                r.ClosedOneWeek, r.ClosedAfterReturnVisit, r.RemindersSent, r.AwaitingClassification);
    }
}
