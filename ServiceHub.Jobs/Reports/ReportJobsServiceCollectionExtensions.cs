using Hangfire;
using ServiceHub.Jobs.Reports;

namespace Microsoft.Extensions.DependencyInjection;

public static class ReportJobsServiceCollectionExtensions
{
    /// <summary>The yearly Annual Service Review Report.</summary>
    public static IServiceCollection AddServiceHubReportJobs(this IServiceCollection services) =>
        services.AddTransient<AnnualReportJob>();

    public static IRecurringJobManager RegisterReportJobs(this IRecurringJobManager jobs)
    {
        AnnualReportJob.Register(jobs);
        return jobs;
    }
}
