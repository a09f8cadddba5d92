using Hangfire;
using ServiceHub.Jobs.Intake;

namespace Microsoft.Extensions.DependencyInjection;

public static class IntakeJobsServiceCollectionExtensions
{
    /// <summary>The intake jobs: hand-overs not taken up in time.</summary>
    public static IServiceCollection AddServiceHubIntakeJobs(this IServiceCollection services)
    {
        services.AddTransient<HandOverJob>();
        return services;
    }

    public static IRecurringJobManager RegisterIntakeJobs(this IRecurringJobManager jobs)
    {
        HandOverJob.Register(jobs);
        return jobs;
    }
}
