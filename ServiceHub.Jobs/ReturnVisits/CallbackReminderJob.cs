using Hangfire;
using ServiceHub.Data.ReturnVisits;

namespace ServiceHub.Jobs.ReturnVisits;

/// <summary>The delayed job of a "call me back at …": reminds the assignee at that time (sent once; the sweep is the safety net).</summary>
public sealed class CallbackReminderJob(ClosureSweep sweep)
{
    [AutomaticRetry(Attempts = 3)]
    public Task RunAsync(long reminderId, CancellationToken ct) => sweep.SendRemindersAsync(reminderId, ct);
}
