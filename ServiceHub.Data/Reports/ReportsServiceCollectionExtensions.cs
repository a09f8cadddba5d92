using ServiceHub.Data.Reports;

namespace Microsoft.Extensions.DependencyInjection;

public static class ReportsServiceCollectionExtensions
{
    /// <summary>
    /// Reports (DOMAIN.md §5–6): the KPIs (<see cref="KpiService"/>) with the dashboard's targets (configuration section <c>Kpi</c>),
    /// and the Annual Service Review Report.
    /// </summary>
    public static IServiceCollection AddServiceHubReports(this IServiceCollection services)
    {
        services.AddOptions<KpiOptions>().BindConfiguration("Kpi");
        services.AddSingleton<KpiService>();
        services.AddSingleton<AnnualReportService>();
        return services;
    }
}
