using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Infrastructure;

namespace Microsoft.Extensions.DependencyInjection;

public static class DataServiceCollectionExtensions
{
    /// <summary>One NpgsqlDataSource, the clock, and every feature's repositories (each feature registers its own).</summary>
    public static IServiceCollection AddServiceHubData(this IServiceCollection services, string connectionString)
    {
        DapperSetup.Configure();
        services.AddNpgsqlDataSource(WithKeepAlive(connectionString));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<NotificationRepository>();
        services.AddMetrics();
        services.AddSingleton<DomainMetrics>();
        services.AddServiceHubAdmin();
        services.AddServiceHubOperations();
        // Intake and complaints (their folders belong to the complaint lifecycle, which will register them itself).
        services.AddOptions<ComplaintOptions>().BindConfiguration("Complaints");
        services.AddSingleton<ComplaintLifecycle>();
        services.AddSingleton<ComplaintRepository>();
        services.AddOptions<IntakeOptions>().BindConfiguration("Intake");
        services.AddSingleton<IntakeRepository>();
        services.AddSingleton<HandOverSweep>();
        services.AddSingleton<EscalationSweep>();
        services.AddServiceHubCounting();
        services.AddServiceHubReturnVisits();
        services.AddSingleton<ServiceHub.Data.ReturnVisits.CustomerReturnVisits>();
        services.AddServiceHubEmergencyData();
        services.AddServiceHubReports();
        services.AddServiceHubAccountability();
        services.AddServiceHubInformation();
        services.AddServiceHubAssessment();
        services.AddServiceHubHome();
        services.AddServiceHubNotificationData();
        services.AddServiceHubIntegrations();
        return services;
    }

    /// <summary>
    /// Npgsql hands out pooled connections unchecked: after a database restart every idle one is dead and would fail its next
    /// request. A keepalive query on idle connections (every <see cref="KeepAliveSeconds"/> s unless the connection string sets
    /// <c>Keepalive</c>) finds them and drops them from the pool, so the app serves on after a restart without one of its own.
    /// </summary>
    public static string WithKeepAlive(string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        if (csb.KeepAlive == 0) csb.KeepAlive = KeepAliveSeconds;
        return csb.ConnectionString;
    }

    public const int KeepAliveSeconds = 5;
}
