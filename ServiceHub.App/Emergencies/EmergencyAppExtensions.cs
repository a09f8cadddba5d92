using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Emergencies;

namespace Microsoft.Extensions.DependencyInjection;

public static class EmergencyAppExtensions
{
    /// <summary>
    /// SignalR for the alerts hub, each instance delivering to its own connections; with <c>SignalR:Redis</c> set (a
    /// StackExchange.Redis connection string) the instances tell each other through Redis (<see cref="AlertsBackplane"/>), so an
    /// alert reaches a person connected to any instance, and Redis being down costs only the other instances' live pushes.
    /// One instance needs no Redis.
    /// </summary>
    public static IServiceCollection AddServiceHubEmergencyApp(this IServiceCollection services)
    {
        services.AddSignalR();
        services.AddSingleton<LocalAlerts>();
        services.AddSingleton<AlertsBackplane>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertsBackplane>());
        services.AddSingleton<AlertsPush>();
        services.Replace(ServiceDescriptor.Singleton<IEmergencyNotifier>(sp => sp.GetRequiredService<AlertsPush>()));
        return services;
    }

    public static void MapServiceHubEmergencies(this IEndpointRouteBuilder app) =>
        app.MapHub<AlertsHub>(AlertsHub.Path, o => o.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling);
}
