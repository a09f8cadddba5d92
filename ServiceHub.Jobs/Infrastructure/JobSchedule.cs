using System.Linq.Expressions;
using Hangfire;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Jobs.Infrastructure;

/// <summary>When a recurring job runs: a cron expression read in a time zone. Every ServiceHub job keeps Beijing time.</summary>
public sealed record JobSchedule(string Cron, TimeZoneInfo TimeZone)
{
    /// <summary>A cron expression in business time (Asia/Shanghai).</summary>
    public static JobSchedule InBeijing(string cron) => new(cron, BusinessTime.Zone);

    /// <summary>Registers the recurring job <paramref name="id"/> on this schedule (idempotent: registering again updates it in place).</summary>
    public void Register<TJob>(IRecurringJobManager jobs, string id, Expression<Func<TJob, Task>> run) =>
        jobs.AddOrUpdate(id, run, Cron, new RecurringJobOptions { TimeZone = TimeZone });
}
