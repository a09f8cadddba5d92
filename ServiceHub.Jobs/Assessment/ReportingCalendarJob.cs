using Hangfire;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Assessment;

/// <summary>
/// Daily at 00:10 Beijing time: creates the current year's annual summary/plan and training outline items for every active
/// department (idempotent: one item per department, kind and year, enforced by a unique index).
/// </summary>
public sealed class ReportingCalendarJob(ReportingCalendar calendar, TimeProvider clock, ILogger<ReportingCalendarJob> log)
{
    public const string Id = "reporting-calendar-yearly-items";

    /// <summary>Daily at 00:10 Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing("10 0 * * *");

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<ReportingCalendarJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(CancellationToken ct)
    {
        var year = BusinessTime.Today(clock).Year;
        var created = await calendar.EnsureYearAsync(year, ct);
        if (created > 0) log.LogInformation("Reporting calendar {Year}: {Created} yearly items created", year, created);
    }
}
