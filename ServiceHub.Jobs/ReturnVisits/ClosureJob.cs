using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.ReturnVisits;

/// <summary>Every ten minutes: one-week auto-closure, closures that waited for a root cause, missed callback reminders (idempotent in SQL).</summary>
public sealed class ClosureJob(ClosureSweep sweep, ILogger<ClosureJob> log)
{
    public const string Id = "complaints-closure";

    /// <summary>Every ten minutes, Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing("*/10 * * * *");

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<ClosureJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var r = await sweep.RunAsync(ct);
        if (r.ClosedOneWeek + r.ClosedAfterReturnVisit + r.RemindersSent > 0 || r.AwaitingClassification > 0)
            log.LogInformation("Closure sweep: {OneWeek} closed after one week, {AfterVisit} after a satisfied return visit, {Reminders} reminders, {Awaiting} awaiting classification",
                r.ClosedOneWeek, r.ClosedAfterReturnVisit, r.RemindersSent, r.AwaitingClassification);
    }
}
