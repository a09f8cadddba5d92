using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Information;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Information;

/// <summary>Every 5 minutes: files the last two days' new complaints, contacts, finished return visits and compensation records into the register and stores the finished ones (idempotent in SQL).</summary>
public sealed class InformationFilingJob(InformationLifecycle lifecycle, TimeProvider clock, ILogger<InformationFilingJob> log)
{
    public const string Id = "information-filing";

    /// <summary>Every five minutes, Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing("*/5 * * * *");

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<InformationFilingJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        // The last two days: the nightly retention run files everything else (and catches up after an outage).
        var r = await lifecycle.FileAndStoreAsync(clock.GetUtcNow().AddDays(-2), ct);
        if (r.Filed + r.Stored > 0) log.LogInformation("Information register: {Filed} filed, {Stored} stored", r.Filed, r.Stored);
    }
}
