using ServiceHub.Data.Counting;

namespace Microsoft.Extensions.DependencyInjection;

public static class CountingServiceCollectionExtensions
{
    /// <summary>Complaint counting and knowledge (DOMAIN.md §4): counting rules, statistics, standard replies, hot complaints, dossier.</summary>
    public static IServiceCollection AddServiceHubCounting(this IServiceCollection services)
    {
        services.AddSingleton<CountingRepository>();
        services.AddSingleton<ComplaintStatistics>();
        services.AddSingleton<StandardReplyRepository>();
        services.AddSingleton<CalendarRepository>();
        services.AddSingleton<HotComplaintRepository>();
        services.AddSingleton<CustomerDossierRepository>();
        return services;
    }
}
