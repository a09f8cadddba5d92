using ServiceHub.Data.Home;

namespace Microsoft.Extensions.DependencyInjection;

public static class HomeServiceCollectionExtensions
{
    /// <summary>The home page's work summary: each role's counts of what waits for it.</summary>
    public static IServiceCollection AddServiceHubHome(this IServiceCollection services)
    {
        services.AddSingleton<WorkSummary>();
        return services;
    }
}
