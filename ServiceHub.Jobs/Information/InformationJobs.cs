using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Information;

namespace ServiceHub.Jobs.Information;

/// <summary>Every 5 minutes: files the last two days' new complaints, contacts, finished return visits and compensation records into the register and stores the finished ones (idempotent in SQL).</summary>
public sealed class InformationFilingJob(InformationLifecycle lifecycle, TimeProvider clock, ILogger<InformationFilingJob> log)
{
    public const string Id = "information-filing";

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        // The last two days: the nightly retention run files everything else (and catches up after an outage).
        var r = await lifecycle.FileAndStoreAsync(clock.GetUtcNow().AddDays(-2), ct);
        if (r.Filed + r.Stored > 0) log.LogInformation("Information register: {Filed} filed, {Stored} stored", r.Filed, r.Stored);
    }
}

/// <summary>Every night at 02:30 Beijing time: a full filing pass, then records whose retention has ended are put up for destruction (an approval is still needed).</summary>
public sealed class RetentionJob(InformationLifecycle lifecycle, ILogger<RetentionJob> log)
{
    public const string Id = "information-retention";

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
