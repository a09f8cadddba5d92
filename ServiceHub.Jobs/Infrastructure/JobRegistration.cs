using Hangfire;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Jobs.Complaints;

namespace Microsoft.Extensions.DependencyInjection;

public static class JobRegistration
{
    /// <summary>Registers the recurring jobs with stable ids (idempotent: re-registering updates in place).</summary>
    public static IServiceProvider RegisterServiceHubJobs(this IServiceProvider services)
    {
        var jobs = services.GetRequiredService<IRecurringJobManager>();
        var inBeijing = new RecurringJobOptions { TimeZone = BusinessTime.Zone };
        jobs.AddOrUpdate<EscalationJob>(EscalationJob.Id, j => j.RunAsync(CancellationToken.None), Cron.Minutely(), inBeijing);
        jobs.RegisterEmergencyJobs();
        jobs.RegisterNotificationJobs();
        jobs.AddOrUpdate<HotComplaintJob>(HotComplaintJob.Id, j => j.RunAsync(CancellationToken.None), "*/5 * * * *", inBeijing);
        jobs.AddOrUpdate<ServiceHub.Jobs.ReturnVisits.ClosureJob>(ServiceHub.Jobs.ReturnVisits.ClosureJob.Id, j => j.RunAsync(CancellationToken.None), "*/10 * * * *", inBeijing);
        jobs.AddOrUpdate<ServiceHub.Jobs.Reports.AnnualReportJob>(ServiceHub.Jobs.Reports.AnnualReportJob.Id, j => j.RunAsync(CancellationToken.None),
            ServiceHub.Data.Reports.AnnualReportRules.JobCron, inBeijing);
        jobs.AddOrUpdate<ServiceHub.Jobs.Assessment.ReportingCalendarJob>(ServiceHub.Jobs.Assessment.ReportingCalendarJob.Id, j => j.RunAsync(CancellationToken.None), "10 0 * * *", inBeijing);
        jobs.AddOrUpdate<ServiceHub.Jobs.Information.InformationFilingJob>(ServiceHub.Jobs.Information.InformationFilingJob.Id, j => j.RunAsync(CancellationToken.None), "*/5 * * * *", inBeijing);
        jobs.AddOrUpdate<ServiceHub.Jobs.Information.RetentionJob>(ServiceHub.Jobs.Information.RetentionJob.Id, j => j.RunAsync(CancellationToken.None), "30 2 * * *", inBeijing);
        return services;
    }
}
