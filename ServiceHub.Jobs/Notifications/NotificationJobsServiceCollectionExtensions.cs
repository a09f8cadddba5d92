using Hangfire;
using Microsoft.Extensions.Configuration;
using ServiceHub.Jobs.Notifications;

namespace Microsoft.Extensions.DependencyInjection;

public static class NotificationJobsServiceCollectionExtensions
{
    /// <summary>
    /// The outbox's senders (e-mail, robots, SMS — one <see cref="IOutboxChannel"/> each; integration webhooks add theirs), the
    /// delivery job and, where this instance processes jobs, the listener that runs it right after a commit.
    /// </summary>
    public static IServiceCollection AddServiceHubNotificationJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpClient(RobotChannel.HttpClientName);
        services.AddSingleton<PublicLinks>();
        services.AddSingleton<IOutboxChannel, EmailChannel>();
        services.AddSingleton<IOutboxChannel, RobotChannel>();
        services.AddSingleton<IOutboxChannel, SmsChannel>();
        services.AddHttpClient(WebhookChannel.HttpClientName);
        services.AddSingleton<IOutboxChannel, WebhookChannel>();
        services.AddSingleton<ISmsProvider, LogOnlySmsProvider>();
        services.AddSingleton<ISmsProvider, AliyunSmsProvider>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<ChannelTester>();
        services.AddTransient<OutboxDeliveryJob>();
        if (configuration.GetValue("Hangfire:Server", true)) services.AddHostedService<OutboxListener>();
        return services;
    }

    public static IRecurringJobManager RegisterNotificationJobs(this IRecurringJobManager jobs)
    {
        OutboxDeliveryJob.Register(jobs);
        return jobs;
    }
}
