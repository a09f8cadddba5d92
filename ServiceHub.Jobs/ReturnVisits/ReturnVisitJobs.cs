using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.ReturnVisits;

namespace ServiceHub.Jobs.ReturnVisits;

/// <summary>Every ten minutes: one-week auto-closure, closures that waited for a root cause, missed callback reminders (idempotent in SQL).</summary>
public sealed class ClosureJob(ClosureSweep sweep, ILogger<ClosureJob> log)
{
    public const string Id = "complaints-closure";

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

/// <summary>The delayed job of a "call me back at …": reminds the assignee at that time (sent once; the sweep is the safety net).</summary>
public sealed class CallbackReminderJob(ClosureSweep sweep)
{
    [AutomaticRetry(Attempts = 3)]
    public Task RunAsync(long reminderId, CancellationToken ct) => sweep.SendRemindersAsync(reminderId, ct);
}

public sealed class HangfireReminderScheduler(IBackgroundJobClient jobs) : IReminderScheduler
{
    public void Schedule(long reminderId, DateTimeOffset at) =>
        jobs.Schedule<CallbackReminderJob>(j => j.RunAsync(reminderId, CancellationToken.None), at);
}
