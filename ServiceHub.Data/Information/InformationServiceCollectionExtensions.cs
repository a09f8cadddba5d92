using ServiceHub.Data.Information;

namespace Microsoft.Extensions.DependencyInjection;

public static class InformationServiceCollectionExtensions
{
    /// <summary>Information management (DOMAIN.md §9): the register and its lifecycle, releases, formal documents.</summary>
    public static IServiceCollection AddServiceHubInformation(this IServiceCollection services)
    {
        services.AddSingleton<InformationRegister>();
        services.AddSingleton<InformationLifecycle>();
        services.AddSingleton<ReleaseRepository>();
        services.AddSingleton<FormalDocumentRepository>();
        return services;
    }
}
