using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Information;

namespace ServiceHub.Jobs.Information;

/// <summary>Every 5 minutes: files new complaints, contacts, finished return visits and compensation records into the register and stores the finished ones (idempotent in SQL).</summary>
public sealed class InformationFilingJob(InformationLifecycle lifecycle, ILogger<InformationFilingJob> log)
{
    public const string Id = "information-filing";

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var r = await lifecycle.FileAndStoreAsync(ct);
        if (r.Filed + r.Stored > 0) log.LogInformation("Information register: {Filed} filed, {Stored} stored", r.Filed, r.Stored);
    }
}

/// <summary>Every night at 02:30 Beijing time: records whose retention has ended are put up for destruction (an approval is still needed).</summary>
public sealed class RetentionJob(InformationLifecycle lifecycle, ILogger<RetentionJob> log)
{
    public const string Id = "information-retention";

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(CancellationToken ct)
    {
        var n = await lifecycle.RequestDueDestructionsAsync(ct);
        if (n > 0) log.LogInformation("Information register: {Count} records put up for destruction", n);
    }
}
