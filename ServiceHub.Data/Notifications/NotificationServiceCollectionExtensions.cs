using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceHub.Data.Notifications;

namespace Microsoft.Extensions.DependencyInjection;

public static class NotificationDataServiceCollectionExtensions
{
    /// <summary>Who gets what, the channels' settings and the outbox's records (the senders and the delivery job are in the jobs).</summary>
    public static IServiceCollection AddServiceHubNotificationData(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration("Notifications:Delivery");
        services.TryAddSingleton<INotificationText, PlainNotificationText>();
        services.AddSingleton<NotificationPreferences>();
        services.AddSingleton<ChannelSettings>();
        services.AddSingleton<OutboxStore>();
        return services;
    }
}
