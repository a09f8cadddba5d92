using ServiceHub.Data.Accountability;

namespace Microsoft.Extensions.DependencyInjection;

public static class AccountabilityServiceCollectionExtensions
{
    /// <summary>Accountability (DOMAIN.md §8): HR's spot checks and the penalty ledger, and handing a leaver's work to a successor.</summary>
    public static IServiceCollection AddServiceHubAccountability(this IServiceCollection services)
    {
        services.AddSingleton<SpotCheckRepository>();
        services.AddSingleton<OffboardingService>();
        return services;
    }
}
