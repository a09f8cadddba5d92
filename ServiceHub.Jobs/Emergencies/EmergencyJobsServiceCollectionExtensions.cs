using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.Data.Emergencies;
using ServiceHub.Jobs.Emergencies;

namespace Microsoft.Extensions.DependencyInjection;

public static class EmergencyJobsServiceCollectionExtensions
{
    /// <summary>An emergency's follow-ups as delayed jobs, and the minutely sweep that catches up lost ones.</summary>
    public static IServiceCollection AddServiceHubEmergencyJobs(this IServiceCollection services)
    {
        // Scheduled in the background, after the report returns (QueuedEmergencyScheduler); the sweep is the safety net.
        services.AddSingleton<HangfireEmergencyScheduler>();
        services.AddSingleton<QueuedEmergencyScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<QueuedEmergencyScheduler>());
        services.Replace(ServiceDescriptor.Singleton<IEmergencyScheduler>(sp => sp.GetRequiredService<QueuedEmergencyScheduler>()));
        services.AddTransient<EmergencyFollowUpJob>();
        services.AddTransient<EmergencySweepJob>();
        return services;
    }

    public static IRecurringJobManager RegisterEmergencyJobs(this IRecurringJobManager jobs)
    {
        EmergencySweepJob.Register(jobs);
        return jobs;
    }
}
