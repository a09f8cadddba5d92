using ServiceHub.Data.Assessment;

namespace Microsoft.Extensions.DependencyInjection;

public static class AssessmentServiceCollectionExtensions
{
    /// <summary>The reporting calendar and the information assessment of the departments.</summary>
    public static IServiceCollection AddServiceHubAssessment(this IServiceCollection services)
    {
        services.AddSingleton<ReportingCalendar>();
        services.AddSingleton<InformationAssessment>();
        services.AddSingleton<ReportFormats>();
        return services;
    }
}
