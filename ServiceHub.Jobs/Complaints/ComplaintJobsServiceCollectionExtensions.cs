using Hangfire;
using ServiceHub.Jobs.Complaints;

namespace Microsoft.Extensions.DependencyInjection;

public static class ComplaintJobsServiceCollectionExtensions
{
    /// <summary>The complaint jobs: deadline warnings and escalations, hot-complaint report reminders.</summary>
    public static IServiceCollection AddServiceHubComplaintJobs(this IServiceCollection services)
    {
        services.AddTransient<EscalationJob>();
        services.AddTransient<HotComplaintJob>();
        return services;
    }

    public static IRecurringJobManager RegisterComplaintJobs(this IRecurringJobManager jobs)
    {
        EscalationJob.Register(jobs);
        HotComplaintJob.Register(jobs);
        return jobs;
    }
}
