using Hangfire;

namespace Microsoft.Extensions.DependencyInjection;

public static class JobRegistration
{
    /// <summary>Registers every feature's recurring jobs with their stable ids and schedules (idempotent: re-registering updates in place).</summary>
    public static IServiceProvider RegisterServiceHubJobs(this IServiceProvider services)
    {
        services.GetRequiredService<IRecurringJobManager>()
            .RegisterComplaintJobs()
            .RegisterIntakeJobs()
            .RegisterEmergencyJobs()
            .RegisterReturnVisitJobs()
            .RegisterReportJobs()
            .RegisterAssessmentJobs()
            .RegisterInformationJobs()
            .RegisterNotificationJobs()
            .RegisterOperationsJobs();
        return services;
    }
}
