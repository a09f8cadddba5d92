using Hangfire;

namespace Microsoft.Extensions.DependencyInjection;

public static class JobRegistration
{
    /// <summary>Registers the recurring jobs with stable ids (idempotent: re-registering updates in place).</summary>
    public static IServiceProvider RegisterServiceHubJobs(this IServiceProvider services)
    {
        services.GetRequiredService<IRecurringJobManager>().RegisterEmergencyJobs();
        return services;
    }
}
