using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Counting;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Complaints;

/// <summary>Every 5 minutes: reminders before, and the overdue flag after, the due time of hot-complaint reports (idempotent in SQL).</summary>
public sealed class HotComplaintJob(HotComplaintRepository hot, ILogger<HotComplaintJob> log)
{
    public const string Id = "complaints-hot-reports";

    /// <summary>Every five minutes, Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing("*/5 * * * *");

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<HotComplaintJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var r = await hot.SweepAsync(ct);
        if (r.Reminded + r.Overdue > 0) log.LogInformation("Hot complaints: {Reminded} reminders, {Overdue} overdue", r.Reminded, r.Overdue);
    }
}
