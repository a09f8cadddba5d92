using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Infrastructure;

namespace Microsoft.Extensions.DependencyInjection;

public static class DataServiceCollectionExtensions
{
    /// <summary>One NpgsqlDataSource, the repositories and the clock.</summary>
    public static IServiceCollection AddServiceHubData(this IServiceCollection services, string connectionString)
    {
        DapperSetup.Configure();
        services.AddNpgsqlDataSource(connectionString);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<SessionRepository>();
        services.AddSingleton<SignInService>();
        services.AddSingleton<DepartmentRepository>();
        services.AddSingleton<ProjectRepository>();
        services.AddSingleton<CustomerRepository>();
        services.AddSingleton<DemoSeeder>();
        services.AddSingleton<NotificationRepository>();
        services.AddOptions<ComplaintOptions>().BindConfiguration("Complaints");
        services.AddSingleton<ComplaintLifecycle>();
        services.AddSingleton<ComplaintRepository>();
        services.AddSingleton<IntakeRepository>();
        services.AddSingleton<EscalationSweep>();
        services.AddSingleton<ServiceHub.Data.Accountability.SpotCheckRepository>();
        services.AddSingleton<ServiceHub.Data.Accountability.OffboardingService>();
        services.AddSingleton<ServiceHub.Data.Information.InformationRegister>();
        services.AddSingleton<ServiceHub.Data.Assessment.ReportingCalendar>();
        services.AddSingleton<ServiceHub.Data.Assessment.InformationAssessment>();
        services.AddSingleton<ServiceHub.Data.Information.InformationLifecycle>();
        services.AddSingleton<ServiceHub.Data.Information.ReleaseRepository>();
        services.AddSingleton<ServiceHub.Data.Information.FormalDocumentRepository>();
        services.AddSingleton<ServiceHub.Data.ReturnVisits.CustomerReturnVisits>();
        services.AddSingleton<ServiceHub.Data.Home.WorkSummary>();
        services.AddServiceHubEmergencyData();
        services.AddServiceHubNotificationData();
        services.AddServiceHubCounting();
        services.AddServiceHubReturnVisits();
        services.AddServiceHubKpis();
        services.AddSingleton<ServiceHub.Data.Reports.AnnualReportService>();
        return services;
    }
}
