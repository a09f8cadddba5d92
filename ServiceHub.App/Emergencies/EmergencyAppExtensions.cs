using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Emergencies;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

public static class EmergencyAppExtensions
{
    /// <summary>
    /// SignalR for the alerts hub; with <c>SignalR:Redis</c> set (a StackExchange.Redis connection string) every instance
    /// shares one Redis backplane, so an alert reaches a person connected to any instance. One instance needs no Redis.
    /// </summary>
    public static IServiceCollection AddServiceHubEmergencyApp(this IServiceCollection services, IConfiguration configuration)
    {
        var signalR = services.AddSignalR();
        var redis = configuration["SignalR:Redis"];
        if (!string.IsNullOrWhiteSpace(redis))
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = RedisChannel.Literal("servicehub"));
        services.Replace(ServiceDescriptor.Singleton<IEmergencyNotifier, HubEmergencyNotifier>());
        return services;
    }

    public static void MapServiceHubEmergencies(this IEndpointRouteBuilder app) =>
        app.MapHub<AlertsHub>(AlertsHub.Path, o => o.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling);
}
