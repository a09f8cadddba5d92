using System.Text;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MimeKit;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Notifications;
using ServiceHub.Jobs.Notifications;

namespace ServiceHub.Tests.Notifications;

/// <summary>
/// Channels set by environment variables (issue #13 point 1): <c>Notifications__Email__Host</c> … win over the admin page, which then
/// shows them read-only (the password never), and the senders use them; robots named there are written to the table at start-up.
/// </summary>
public sealed class ChannelConfigurationTests(NotificationWorld w) : IClassFixture<NotificationWorld>, IAsyncLifetime
{
    public Task InitializeAsync() => w.QuietAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Configuration from real environment variables under a prefix of this test's own (the process's environment is shared).</summary>
    private static IConfiguration Environment(Dictionary<string, string> variables)
    {
        var prefix = $"SHT{Guid.NewGuid():N}_"[..12];
        foreach (var (k, v) in variables) System.Environment.SetEnvironmentVariable(prefix + k, v);
        return new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();
    }

    private ChannelSettings Settings(IConfiguration configuration) =>
        new(w.DataSource, w.Get<IDataProtectionProvider>(), configuration, w.Get<AuditLog>(), w.Clock);

    [Fact]
    public async Task Email_set_by_environment_variables_is_read_only_on_the_page_hides_its_password_and_is_what_the_test_button_uses()
    {
        var configuration = Environment(new()
        {
            ["Notifications__Email__Host"] = "127.0.0.1",
            ["Notifications__Email__Port"] = w.Smtp.Configuration.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications__Email__Security"] = EmailSecurity.None,
            ["Notifications__Email__From"] = "alerts@env.example.cn",
            ["Notifications__Email__Password"] = "env-password-0001",
        });
        var settings = Settings(configuration);

        var view = await settings.EmailAsync(w.Admin);
        Assert.True(view.FromConfiguration);
        Assert.True(view.SecretSet);
        Assert.Equal(("127.0.0.1", "alerts@env.example.cn", ""), (view.Settings.Host, view.Settings.From, view.Settings.Password));
        var refused = await Assert.ThrowsAsync<DomainException>(() => settings.SaveEmailAsync(w.Admin, view.Settings));
        Assert.Equal("Notifications.SetByEnvironment", refused.Code);
        // The page's saved row (another server) is not used while the environment sets the channel.
        Assert.False((await Settings(new ConfigurationBuilder().Build()).EmailAsync(w.Admin)).FromConfiguration);

        var tester = new ChannelTester(settings, w.Get<IEnumerable<ISmsProvider>>(), w.Get<IHttpClientFactory>(), w.Get<INotificationText>(),
            w.Get<PublicLinks>(), w.Clock, w.Get<IOptions<OutboxOptions>>(), w.Get<AuditLog>());
        await tester.EmailAsync(w.Admin, "ops@example.cn");
        var mail = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Assert.Single(w.Smtp.ReceivedEmail).Data)));
        Assert.Equal("alerts@env.example.cn", mail.From.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task Sms_set_by_environment_variables_is_read_only_and_hides_its_secret()
    {
        var settings = Settings(Environment(new()
        {
            ["Notifications__Sms__Provider"] = SmsProviders.Aliyun,
            ["Notifications__Sms__AccessKeyId"] = "LTAI-env",
            ["Notifications__Sms__AccessKeySecret"] = "env-sms-secret",
        }));
        var view = await settings.SmsAsync(w.Admin);
        Assert.Equal((true, true, "LTAI-env", ""), (view.FromConfiguration, view.SecretSet, view.Settings.AccessKeyId, view.Settings.AccessKeySecret));
        Assert.Equal("env-sms-secret", (await settings.SmsForSendingAsync()).AccessKeySecret);
        await Assert.ThrowsAsync<DomainException>(() => settings.SaveSmsAsync(w.Admin, view.Settings));
    }

    [Fact]
    public async Task Robots_named_in_environment_variables_are_written_encrypted_at_start_and_cannot_be_edited_on_the_page()
    {
        var name = $"环境群{Guid.NewGuid():N}"[..10];
        var settings = Settings(Environment(new()
        {
            ["Notifications__Robots__0__Name"] = name,
            ["Notifications__Robots__0__Kind"] = "DingTalk",
            ["Notifications__Robots__0__Department"] = "ENG",
            ["Notifications__Robots__0__Webhook"] = $"{w.Stub.BaseUrl}/robot/send?access_token={ProviderStub.DingTalkToken}",
            ["Notifications__Robots__0__Secret"] = ProviderStub.DingTalkSecret,
        }));

        Assert.Equal(1, await settings.SyncConfiguredRobotsAsync());
        Assert.Equal(1, await settings.SyncConfiguredRobotsAsync());
        var robot = Assert.Single(await settings.RobotsAsync(w.Admin), r => r.Name == name);
        Assert.Equal((NotificationChannels.DingTalk, true, true, "工程部"), (robot.Kind, robot.FromConfiguration, robot.SecretSet, robot.DepartmentName));
        await using (var conn = await w.DataSource.OpenConnectionAsync())
        {
            var stored = await conn.QuerySingleAsync<string>(
                "SELECT webhook_protected || webhook_hint || secret_protected FROM notification_robots WHERE id = @Id", new { robot.Id });
            Assert.DoesNotContain(ProviderStub.DingTalkToken, stored);
            Assert.DoesNotContain(ProviderStub.DingTalkSecret, stored);
        }
        await Assert.ThrowsAsync<DomainException>(() => settings.SaveRobotAsync(w.Admin, new RobotForm { Id = robot.Id, Name = name, Kind = NotificationChannels.WeCom }));

        // The signed robot works: the stub checks DingTalk's signature with the secret of the environment.
        await w.Get<ChannelTester>().RobotAsync(w.Admin, robot.Id);
        Assert.Empty(w.Stub.Problems);
        Assert.Equal("dingtalk", Assert.Single(w.Stub.Accepted).Channel);
        await using (var conn = await w.DataSource.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE notification_robots SET is_active = false WHERE id = @Id", new { robot.Id });
    }
}
