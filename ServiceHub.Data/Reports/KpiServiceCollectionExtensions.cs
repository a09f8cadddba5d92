using ServiceHub.Data.Reports;

namespace Microsoft.Extensions.DependencyInjection;

public static class KpiServiceCollectionExtensions
{
    /// <summary>The KPIs of DOMAIN.md §6 (<see cref="KpiService"/>) and the dashboard's targets (configuration section <c>Kpi</c>).</summary>
    public static IServiceCollection AddServiceHubKpis(this IServiceCollection services)
    {
        services.AddOptions<KpiOptions>().BindConfiguration("Kpi");
        services.AddSingleton<KpiService>();
        return services;
    }
}
