using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Jobs.ReturnVisits;

namespace Microsoft.Extensions.DependencyInjection;

public static class ReturnVisitJobsServiceCollectionExtensions
{
    public static IServiceCollection AddServiceHubReturnVisitJobs(this IServiceCollection services)
    {
        services.AddTransient<ClosureJob>();
        services.AddTransient<CallbackReminderJob>();
        services.Replace(ServiceDescriptor.Singleton<IReminderScheduler, HangfireReminderScheduler>());
        return services;
    }
}
