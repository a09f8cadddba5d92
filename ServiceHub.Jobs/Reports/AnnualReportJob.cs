using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Reports;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Reports;

/// <summary>
/// Early each January (<see cref="AnnualReportRules.JobCron"/>, Beijing time): produces last year's Annual Service Review Report
/// (DOMAIN.md §5: within one month after the year ends). Idempotent: when the year already has a version, nothing new is stored.
/// </summary>
public sealed class AnnualReportJob(AnnualReportService reports, TimeProvider clock, ILogger<AnnualReportJob> log)
{
    public const string Id = "annual-service-review-report";

    /// <summary>5 January, 02:00 Beijing time (<see cref="AnnualReportRules.JobCron"/>).</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing(AnnualReportRules.JobCron);

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<AnnualReportJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(CancellationToken ct)
    {
        var year = AnnualReportRules.LastYear(clock);
        var r = await reports.ProduceAsync(null, year, newVersion: false, ct);
        if (r.Created) log.LogInformation("Annual Service Review Report {Year} produced as version {Version}", year, r.Version.Version);
        else log.LogInformation("Annual Service Review Report {Year} already exists (version {Version}); nothing produced", year, r.Version.Version);
    }
}
