using Microsoft.Extensions.DependencyInjection.Extensions;
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
        services.AddNpgsqlDataSource(connectionString);
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
        return services;
    }
}
