using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.Data.Emergencies;
using ServiceHub.Jobs.Emergencies;

namespace Microsoft.Extensions.DependencyInjection;

public static class EmergencyJobsServiceCollectionExtensions
{
    public static IServiceCollection AddServiceHubEmergencyJobs(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<IEmergencyScheduler, HangfireEmergencyScheduler>());
        services.AddTransient<EmergencyFollowUpJob>();
        services.AddTransient<EmergencySweepJob>();
        return services;
    }

    public static IRecurringJobManager RegisterEmergencyJobs(this IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<EmergencySweepJob>(EmergencySweepJob.Id, j => j.RunAsync(CancellationToken.None), Cron.Minutely(),
            new RecurringJobOptions { TimeZone = ServiceHub.Data.Infrastructure.BusinessTime.Zone });
        return jobs;
    }
}
