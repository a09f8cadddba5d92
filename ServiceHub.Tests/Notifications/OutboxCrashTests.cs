using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Npgsql;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Notifications;
using ServiceHub.Jobs.Notifications;
using ServiceHub.Tests.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Notifications;

/// <summary>
/// kill -9 of the real code in a child process (issue #16 point 3, issue #13 point 5): during an emergency report between the commit
/// and the push, and during a delivery after the provider accepted a message and before its result was recorded. After the "restart"
/// (this process, over the same database) every alert is shown once, every message is delivered, and a receiver shows each once.
/// </summary>
[Trait("Category", "faults")]
public sealed class OutboxCrashTests(NotificationWorld w) : IClassFixture<NotificationWorld>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public Task InitializeAsync() => w.QuietAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private string[] ChildArgs(params string[] more) =>
        [w.ConnectionString, w.KeysDirectory, w.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), .. more];

    [Fact]
    public async Task Killed_between_the_commit_of_an_emergency_report_and_its_push_every_alert_is_shown_after_restart_once_and_every_message_sent_once()
    {
        await w.ReachAsync("pmmanager", "zhang@example.cn", "13800000001", null, (NotificationEvents.EmergencyRaised, NotificationChannels.Email, true));
        await w.ReachAsync("leader", null, "13800000009", robotId: w.DingTalkRobotId);
        var before = await w.OutboxAsync();

        await using var child = ChildProcess.Start(ReportRole, ChildArgs());
        var id = int.Parse(await child.WaitForAsync("COMMITTED", Patience), CultureInfo.InvariantCulture);
        await child.KillAsync();
        Assert.DoesNotContain("PUSHED", child.Output);

        // After the restart: the report and all its alerts are there, each unacknowledged, so each person's screen shows it when it
        // connects (the catch-up) — once: one alert per person, none twice.
        var alerts = await EmergencyTestData.AlertsAsync(w.DataSource, id);
        Assert.Equal(["leader", "pmmanager", "vp"], alerts.Select(a => a.User).Order());
        foreach (var user in alerts.Select(a => a.User))
        {
            var shown = await w.Emergencies.PendingAlertsAsync(await w.UserIdAsync(user));
            Assert.Single(shown, a => a.EmergencyId == id);
        }

        // The outbox rows were committed with the report: the restarted worker sends each, once; a second run sends nothing.
        var rows = (await w.OutboxAsync(id)).ToList();
        Assert.Equal(["email", "robot", "robot", "sms"], rows.Select(r => r.Channel).Order());
        Assert.All(rows, r => Assert.Equal(OutboxStates.Pending, r.State));
        Assert.Equal(rows.Count, await w.Worker().RunAsync());
        Assert.Equal(0, await w.Worker().RunAsync());
        Assert.All(await w.OutboxAsync(id), r => Assert.Equal((OutboxStates.Sent, 1), (r.State, r.Attempts)));
        Assert.Single(w.Smtp.ReceivedEmail);
        Assert.Equal(["dingtalk", "sms", "wecom"], w.Stub.Accepted.Select(m => m.Channel).Order());
        Assert.Empty(w.Stub.Problems);
        Assert.Equal(before.Count + rows.Count, (await w.OutboxAsync()).Count);
    }

    [Fact]
    public async Task Killed_mid_delivery_after_the_provider_accepted_nothing_is_lost_and_the_resend_carries_the_same_key_so_the_receiver_shows_it_once()
    {
        await w.ReachAsync("pmmanager", "zhang@example.cn", "13800000001", null,
            (NotificationEvents.EmergencyRaised, NotificationChannels.Robot, false), (NotificationEvents.EmergencyRaised, NotificationChannels.Email, true));
        var id = await w.ReportFireAsync();
        var sms = Assert.Single(await w.OutboxAsync(id), r => r.Channel == NotificationChannels.Sms);
        // Aliyun accepts the SMS and holds the answer: the worker never learns. Then the worker is killed.
        w.Stub.HoldNext();

        await using (var child = ChildProcess.Start(DeliverRole, ChildArgs()))
        {
            await w.Stub.HeldArrived.Task.WaitAsync(Patience);
            await child.KillAsync();
        }
        w.Stub.Release();
        var held = Assert.Single(await w.OutboxAsync(id), r => r.Id == sms.Id);
        Assert.Equal((OutboxStates.Pending, 1), (held.State, held.Attempts));
        Assert.Equal([(null, null)], await w.AttemptsAsync(sms.Id));

        // Restarted: the row is the dead worker's until its lease ends, then it goes again with the same key; every other message of
        // the emergency is sent too (by the child before it died, or now), each exactly once.
        await w.Worker().RunAsync();
        Assert.Equal(OutboxStates.Pending, (await w.OutboxAsync(id)).Single(r => r.Id == sms.Id).State);
        w.Clock.Advance(new OutboxOptions().Lease);
        await w.Worker().RunAsync();

        Assert.All(await w.OutboxAsync(id), r => Assert.Equal(OutboxStates.Sent, r.State));
        Assert.Equal(["abandoned", "sent"], (await w.AttemptsAsync(sms.Id)).Select(a => a.Outcome));
        Assert.Equal(2, w.Stub.Accepted.Count(m => m.Key == sms.IdempotencyKey));
        Assert.Single(w.Stub.Distinct, m => m.Key == sms.IdempotencyKey);
        var mails = w.Smtp.ReceivedEmail.Select(m => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data))).MessageId).ToList();
        Assert.Single(mails.Distinct());
    }

    private const string ReportRole = "outbox:report-killed-before-push";
    private const string DeliverRole = "outbox:deliver";

    /// <summary>A child's services over the world's database and key ring, its clock at the world's time.</summary>
    private static ServiceProvider ChildServices(string[] args, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        more?.Invoke(services);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse(args[2], CultureInfo.InvariantCulture));
        return NotificationWorld.Compose(services, args[0], args[1], clock).BuildServiceProvider();
    }

    /// <summary>Reports a fire as the agent; after the commit, the push announces itself and waits to be killed.</summary>
    [ChildRole(ReportRole)]
    private static async Task<int> ReportAsync(string[] args)
    {
        await using var sp = ChildServices(args, s => s.TryAddSingleton<IEmergencyNotifier, WaitingNotifier>());
        var db = sp.GetRequiredService<NpgsqlDataSource>();
        var clock = sp.GetRequiredService<TimeProvider>();
        await sp.GetRequiredService<EmergencyRepository>().ReportAsync(await EmergencyTestData.ActorAsync(db, "agent"),
            await EmergencyTestData.ReportAsync(db, clock.GetUtcNow()));
        Console.WriteLine("PUSHED");
        return 0;
    }

    /// <summary>Runs the delivery job once, as the Hangfire job would.</summary>
    [ChildRole(DeliverRole)]
    private static async Task<int> DeliverAsync(string[] args)
    {
        await using var sp = ChildServices(args);
        Console.WriteLine($"SENT {await sp.GetRequiredService<OutboxDispatcher>().RunAsync()}");
        return 0;
    }

    /// <summary>The push of the alerts (to screens) the moment it starts: the report is committed; it says so, then hangs.</summary>
    private sealed class WaitingNotifier : IEmergencyNotifier
    {
        public async Task AlertsAsync(IReadOnlyList<AlertBatch> alerts, CancellationToken ct = default)
        {
            Console.WriteLine($"COMMITTED {alerts[0].Alert.EmergencyId}");
            await Task.Delay(Timeout.Infinite, ct);
        }

        public Task AcknowledgedAsync(int userId, IReadOnlyList<long> alertIds, CancellationToken ct = default) => Task.CompletedTask;
    }
}
