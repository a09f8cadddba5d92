using ServiceHub.Data.Integrations;

namespace Microsoft.Extensions.DependencyInjection;

public static class IntegrationServiceCollectionExtensions
{
    /// <summary>The REST API's keys, the CTI's calls, the customer look-up by full number and the outgoing webhooks (issue #13 points 6-9).</summary>
    public static IServiceCollection AddServiceHubIntegrations(this IServiceCollection services) => services
        .AddSingleton<ApiKeyRepository>()
        .AddSingleton<CallRepository>()
        .AddSingleton<CustomerPhones>()
        .AddSingleton<WebhookRepository>();
}
