using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.Data.ReturnVisits;

namespace Microsoft.Extensions.DependencyInjection;

public static class ReturnVisitServiceCollectionExtensions
{
    /// <summary>Return visits and closure; the Jobs project replaces the reminder scheduler with Hangfire's.</summary>
    public static IServiceCollection AddServiceHubReturnVisits(this IServiceCollection services)
    {
        services.TryAddSingleton<IReminderScheduler, SweepOnlyReminderScheduler>();
        services.AddSingleton<ReturnVisitRepository>();
        services.AddSingleton<ReturnVisitAnalysisRepository>();
        services.AddOptions<ClosureOptions>().BindConfiguration("ReturnVisits:Closure");
        services.AddSingleton<ClosureSweep>();
        services.AddSingleton<RepeatComplaints>();
        return services;
    }
}
