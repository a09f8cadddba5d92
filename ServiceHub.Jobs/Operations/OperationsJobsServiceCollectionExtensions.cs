using Hangfire;
using ServiceHub.Jobs.Operations;

namespace Microsoft.Extensions.DependencyInjection;

public static class OperationsJobsServiceCollectionExtensions
{
    /// <summary>The operations jobs: the nightly verified backup.</summary>
    public static IServiceCollection AddServiceHubOperationsJobs(this IServiceCollection services)
    {
        services.AddTransient<BackupJob>();
        return services;
    }

    public static IRecurringJobManager RegisterOperationsJobs(this IRecurringJobManager jobs)
    {
        BackupJob.Register(jobs);
        return jobs;
    }
}
