using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.Data.Emergencies;

namespace Microsoft.Extensions.DependencyInjection;

public static class EmergencyDataServiceCollectionExtensions
{
    /// <summary>The emergency repository; without the app and the jobs, alerts are only saved (no push, no schedule).</summary>
    public static IServiceCollection AddServiceHubEmergencyData(this IServiceCollection services)
    {
        services.TryAddSingleton<IEmergencyNotifier, NoEmergencyNotifier>();
        services.TryAddSingleton<IEmergencyScheduler, NoEmergencyScheduler>();
        services.AddSingleton<EmergencyRepository>();
        return services;
    }
}
