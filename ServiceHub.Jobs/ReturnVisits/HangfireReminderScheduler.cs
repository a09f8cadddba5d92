using Hangfire;
using ServiceHub.Data.ReturnVisits;

namespace ServiceHub.Jobs.ReturnVisits;

public sealed class HangfireReminderScheduler(IBackgroundJobClient jobs) : IReminderScheduler
{
    public void Schedule(long reminderId, DateTimeOffset at) =>
        jobs.Schedule<CallbackReminderJob>(j => j.RunAsync(reminderId, CancellationToken.None), at);
}
