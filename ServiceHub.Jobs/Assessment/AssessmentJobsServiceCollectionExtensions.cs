using Hangfire;
using ServiceHub.Jobs.Assessment;

namespace Microsoft.Extensions.DependencyInjection;

public static class AssessmentJobsServiceCollectionExtensions
{
    /// <summary>The reporting calendar's job: each year's items for every department.</summary>
    public static IServiceCollection AddServiceHubAssessmentJobs(this IServiceCollection services) =>
        services.AddTransient<ReportingCalendarJob>();

    public static IRecurringJobManager RegisterAssessmentJobs(this IRecurringJobManager jobs)
    {
        ReportingCalendarJob.Register(jobs);
        return jobs;
    }
}
