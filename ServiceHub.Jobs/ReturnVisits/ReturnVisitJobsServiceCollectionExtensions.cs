using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Jobs.ReturnVisits;

namespace Microsoft.Extensions.DependencyInjection;

public static class ReturnVisitJobsServiceCollectionExtensions
{
    /// <summary>The closure sweep and the "call me back" reminders (scheduled through Hangfire).</summary>
    public static IServiceCollection AddServiceHubReturnVisitJobs(this IServiceCollection services)
    {
        services.AddTransient<ClosureJob>();
        services.AddTransient<CallbackReminderJob>();
        services.Replace(ServiceDescriptor.Singleton<IReminderScheduler, HangfireReminderScheduler>());
        return services;
    }

    public static IRecurringJobManager RegisterReturnVisitJobs(this IRecurringJobManager jobs)
    {
        ClosureJob.Register(jobs);
        return jobs;
    }
}
