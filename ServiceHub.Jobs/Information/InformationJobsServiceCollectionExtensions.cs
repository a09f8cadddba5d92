using Hangfire;
using ServiceHub.Jobs.Information;

namespace Microsoft.Extensions.DependencyInjection;

public static class InformationJobsServiceCollectionExtensions
{
    /// <summary>The information register's jobs: filing new records, and retention (destruction requests) nightly.</summary>
    public static IServiceCollection AddServiceHubInformationJobs(this IServiceCollection services)
    {
        services.AddTransient<InformationFilingJob>();
        services.AddTransient<RetentionJob>();
        return services;
    }

    public static IRecurringJobManager RegisterInformationJobs(this IRecurringJobManager jobs)
    {
        InformationFilingJob.Register(jobs);
        RetentionJob.Register(jobs);
        return jobs;
    }
}
