using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Information;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Information;

/// <summary>Every night at 02:30 Beijing time: a full filing pass, then records whose retention has ended are put up for destruction (an approval is still needed).</summary>
public sealed class RetentionJob(InformationLifecycle lifecycle, ILogger<RetentionJob> log)
{
    public const string Id = "information-retention";

    /// <summary>Nightly at 02:30 Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing("30 2 * * *");

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<RetentionJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(CancellationToken ct)
    {
        var filed = await lifecycle.FileAndStoreAsync(null, ct);
        if (filed.Filed + filed.Stored > 0) log.LogInformation("Information register (full pass): {Filed} filed, {Stored} stored", filed.Filed, filed.Stored);
        var n = await lifecycle.RequestDueDestructionsAsync(ct);
        if (n > 0) log.LogInformation("Information register: {Count} records put up for destruction", n);
    }
}
