using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using netDumbster.smtp;
using ServiceHub.App.Notifications;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Notifications;
using ServiceHub.Jobs.Notifications;
using ServiceHub.Tests.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Notifications;

/// <summary>
/// The demo company over a fresh database, the Data services and the outbox's senders over it (messages in Chinese, links to
/// <see cref="PublicUrl"/>), a clock the test moves, and real local servers: an SMTP server in the test process (netDumbster) and a
/// Kestrel stub playing WeCom, DingTalk and Aliyun SMS (<see cref="ProviderStub"/>). The channels are configured through the admin's
/// repository, as the page does (secrets encrypted).
/// </summary>
public sealed class NotificationWorld : DatabaseFixture
{
    public const string PublicUrl = "https://servicehub.test";
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero));
    public ServiceProvider Services { get; private set; } = default!;
    public SimpleSmtpServer Smtp { get; private set; } = default!;
    public ProviderStub Stub { get; private set; } = default!;
    public Actor Admin { get; private set; } = default!;
    public int WeComRobotId { get; private set; }
    public int DingTalkRobotId { get; private set; }

    /// <summary>The key ring of the channels' secrets, on disk so a child process (<see cref="OutboxCrashTests"/>) reads them too.</summary>
    public string KeysDirectory { get; } = Directory.CreateTempSubdirectory("servicehub-keys-").FullName;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// The Data services and the outbox's senders over a database, as the app composes them (messages in Chinese from the app's
    /// resources, links to <see cref="PublicUrl"/>, no Hangfire server): the world's, and a child process's in the crash tests.
    /// </summary>
    public static IServiceCollection Compose(IServiceCollection services, string connectionString, string keysDirectory, TimeProvider clock)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServiceHub:PublicUrl"] = PublicUrl,
            ["Hangfire:Server"] = "false",
        }).Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(clock);
        services.AddLogging();
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.AddDataProtection().SetApplicationName("ServiceHub.Tests").PersistKeysToFileSystem(new DirectoryInfo(keysDirectory));
        services.AddServiceHubData(connectionString);
        services.AddServiceHubNotificationJobs(configuration);
        services.Replace(ServiceDescriptor.Singleton<INotificationText, LocalizedNotificationText>());
        return services;
    }

    public EmergencyRepository Emergencies => Get<EmergencyRepository>();
    public OutboxStore Store => Get<OutboxStore>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Services = Compose(new ServiceCollection(), ConnectionString, KeysDirectory, Clock).BuildServiceProvider();
        await ActivatorUtilities.CreateInstance<DemoSeeder>(Services).SeedAsync();

        Smtp = SimpleSmtpServer.Start();
        Stub = await ProviderStub.StartAsync(Clock);
        Admin = await ActorAsync("admin");
        var channels = Get<ChannelSettings>();
        await channels.SaveEmailAsync(Admin, new EmailSettings { Host = "127.0.0.1", Port = Smtp.Configuration.Port, Security = EmailSecurity.None, From = "servicehub@example.cn", FromName = "ServiceHub" });
        await channels.SaveSmsAsync(Admin, new SmsSettings
        {
            Provider = SmsProviders.Aliyun, AccessKeyId = ProviderStub.AliyunKeyId, AccessKeySecret = ProviderStub.AliyunSecret,
            SignName = "翠湖物业", TemplateCode = "SMS_0001", Endpoint = Stub.BaseUrl + "/sms", RegionId = "cn-hangzhou",
        });
        WeComRobotId = await channels.SaveRobotAsync(Admin, new RobotForm
        {
            Name = "物业公司群", Kind = NotificationChannels.WeCom, DepartmentId = await DepartmentAsync("PM"),
            Webhook = $"{Stub.BaseUrl}/cgi-bin/webhook/send?key={ProviderStub.WeComKey}",
        });
        DingTalkRobotId = await channels.SaveRobotAsync(Admin, new RobotForm
        {
            Name = "工程部群", Kind = NotificationChannels.DingTalk, DepartmentId = await DepartmentAsync("ENG"),
            Webhook = $"{Stub.BaseUrl}/robot/send?access_token={ProviderStub.DingTalkToken}", Secret = ProviderStub.DingTalkSecret,
        });
    }

    public override async Task DisposeAsync()
    {
        Smtp.Stop();
        await Stub.DisposeAsync();
        await Services.DisposeAsync();
        await base.DisposeAsync();
        Directory.Delete(KeysDirectory, recursive: true);
    }

    public Task<Actor> ActorAsync(string userName) => EmergencyTestData.ActorAsync(DataSource, userName);
    public Task<int> DepartmentAsync(string code) => EmergencyTestData.DepartmentAsync(DataSource, code);

    /// <summary>A person's addresses and (optionally) their own choices, saved as they would on "my notifications".</summary>
    public async Task<Actor> ReachAsync(string userName, string? email, string? mobile, int? robotId = null, params (string Event, string Channel, bool On)[] choices)
    {
        var actor = await ActorAsync(userName);
        await Get<NotificationPreferences>().SaveMineAsync(actor, new NotificationSettingsForm
        {
            Email = email ?? "", Mobile = mobile ?? "", RobotId = robotId,
            Choices = [.. choices.Select(c => new NotificationChoice(c.Event, c.Channel, c.On, false))],
        });
        return actor;
    }

    /// <summary>Reports a fire in 翠湖苑 for the property company (PM), as an agent; returns its id.</summary>
    public async Task<int> ReportFireAsync(string department = "PM") =>
        await Emergencies.ReportAsync(await ActorAsync("agent"), await EmergencyTestData.ReportAsync(DataSource, Clock.GetUtcNow(), department));

    /// <summary>A worker (store and dispatcher) with these delivery settings; a new one is a restarted worker.</summary>
    public OutboxDispatcher Worker(OutboxOptions? options = null)
    {
        // Quick retries at once by default: their back-off waits on the test's clock, which only the test moves.
        var o = Options.Create(options ?? new OutboxOptions { FirstRetryDelay = TimeSpan.Zero });
        var store = new OutboxStore(DataSource, Clock, o, Get<AuditLog>());
        return new OutboxDispatcher(store, Get<IEnumerable<IOutboxChannel>>(), Get<INotificationText>(), Get<PublicLinks>(), Clock, o,
            NullLogger<OutboxDispatcher>.Instance);
    }

    /// <summary>The rows of the outbox about one subject (or all), in order.</summary>
    public async Task<List<OutboxRow>> OutboxAsync(long? emergencyId = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<OutboxRow>("""
            SELECT m.id, m.channel, m.event_kind, m.user_ids, m.endpoint_id, m.address, m.mentions, m.message_key, m.link, m.idempotency_key,
                   m.state, m.attempts, m.next_attempt_at, m.last_error, m.cancel_reason
            FROM outbox_messages m
            WHERE @emergencyId::bigint IS NULL OR (m.subject_type = 'emergency' AND m.subject_id = @emergencyId)
            ORDER BY m.id
            """, new { emergencyId })).AsList();
    }

    /// <summary>(outcome, error) of every attempt of a message.</summary>
    public async Task<List<(string? Outcome, string? Error)>> AttemptsAsync(long messageId)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<(string?, string?)>(
            "SELECT outcome, error FROM outbox_attempts WHERE message_id = @messageId ORDER BY attempt_no", new { messageId })).AsList();
    }

    /// <summary>Set-up between tests that share this world: what an earlier test left pending is cancelled, the servers forget what they got.</summary>
    public async Task QuietAsync()
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE outbox_messages SET state = 'cancelled', cancel_reason = 'test set-up' WHERE state = 'pending'");
        await conn.ExecuteAsync("DELETE FROM user_notification_contacts; DELETE FROM notification_choices;");
        Smtp.ClearReceivedEmail();
        Stub.Reset();
    }

    public async Task<int> UserIdAsync(string userName) => (await ActorAsync(userName)).Id;
}

public sealed record OutboxRow(
    long Id, string Channel, string EventKind, int[] UserIds, int? EndpointId, string? Address, string[] Mentions, string MessageKey, string Link,
    string IdempotencyKey, string State, int Attempts, DateTimeOffset NextAttemptAt, string? LastError, string? CancelReason);
