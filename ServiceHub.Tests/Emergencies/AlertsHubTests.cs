using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Emergencies;

/// <summary>
/// SignalR clients of the browser collection's app (a real port, and its hub filter to cut a connection). Alerts of other tests may be
/// waiting for the same people: each test waits for the alerts of its own emergency and proves absences with a sentinel.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AlertsHubTests(BrowserAppFactory app)
{
    private NpgsqlDataSource Db => app.Get<NpgsqlDataSource>();
    private EmergencyRepository Emergencies => app.Get<EmergencyRepository>();

    private async Task<int> RaiseAsync(string department = "PM") =>
        await Emergencies.ReportAsync(await app.ActorAsync("agent"), await EmergencyTestData.ReportAsync(Db, app.Clock.GetUtcNow(), department));

    /// <summary>
    /// A message to every connection after the alerts: a connection that got it and no alert before it got no alert
    /// (a connection receives its messages in the order they were sent).
    /// </summary>
    private async Task SentinelAsync(params AlertsClient[] clients)
    {
        await app.Get<IHubContext<AlertsHub, IAlertsClient>>().Clients.All.AlertsAcknowledged([long.MinValue]);
        foreach (var c in clients)
            while (!(await c.NextAcknowledgedAsync()).Contains(long.MinValue)) { }
    }

    [Fact]
    public async Task An_alert_reaches_the_manager_the_vp_and_leadership_live_and_no_one_else()
    {
        await using var manager = await AlertsClient.ConnectAsync(app.BaseUrl, "pmmanager");
        await using var leader = await AlertsClient.ConnectAsync(app.BaseUrl, "leader");
        await using var vp = await AlertsClient.ConnectAsync(app.BaseUrl, "vp");
        await using var enghandler = await AlertsClient.ConnectAsync(app.BaseUrl, "enghandler");
        await using var engmanager = await AlertsClient.ConnectAsync(app.BaseUrl, "engmanager");
        await using var handler = await AlertsClient.ConnectAsync(app.BaseUrl, "handler");
        foreach (var c in new[] { manager, leader, vp }) c.Drain(); // alerts of earlier tests in this class

        var id = await RaiseAsync("PM");

        foreach (var c in new[] { manager, leader, vp })
        {
            ScreenAlert a;
            do a = await c.NextAsync(); while (a.EmergencyId != id);
            Assert.Equal((AlertReasons.Raised, EmergencyKinds.FireExplosion, "翠湖苑", "物业公司"), (a.Reason, a.Kind, a.ProjectName, a.DepartmentName));
            Assert.Equal(a.OccurredAt.AddHours(2), a.OnSiteDueAt); // two hours from the event, not from the report
        }
        await SentinelAsync(enghandler, engmanager, handler);
        Assert.Empty(enghandler.Drain());
        Assert.Empty(engmanager.Drain());
        Assert.Empty(handler.Drain());
    }

    [Fact]
    public async Task A_person_who_was_offline_gets_every_unacknowledged_alert_on_connecting_once_each()
    {
        var manager = await app.ActorAsync("engmanager");
        foreach (var a in await Emergencies.PendingAlertsAsync(manager.Id)) await Emergencies.AcknowledgeAsync(manager, a.AlertId);
        var first = await RaiseAsync("ENG");
        var second = await RaiseAsync("ENG");

        await using var client = await AlertsClient.ConnectAsync(app.BaseUrl, "engmanager");
        var got = new[] { await client.NextAsync(), await client.NextAsync() };
        Assert.Equal([first, second], got.Select(a => a.EmergencyId));
        await SentinelAsync(client);
        Assert.Empty(client.Drain());

        // Acknowledged alerts do not come back on the next connection.
        Assert.True(await client.Connection.InvokeAsync<bool>(nameof(AlertsHub.Acknowledge), got[0].BatchId, got[0].EmergencyId));
        await client.Connection.StopAsync();
        await client.Connection.StartAsync();
        Assert.Equal(second, (await client.NextAsync()).EmergencyId);
        await SentinelAsync(client);
        Assert.Empty(client.Drain());
    }

    [Fact]
    public async Task A_dropped_connection_reconnects_by_itself_and_catches_up()
    {
        await using var client = await AlertsClient.ConnectAsync(app.BaseUrl, "pmmanager", start: false);
        var raised = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.Reconnecting += async _ =>  // raised as the connection drops, while the client is reconnecting
        {
            try { raised.TrySetResult(await RaiseAsync("PM")); }
            catch (Exception ex) { raised.TrySetException(ex); }
        };
        var reconnected = new TaskCompletionSource();
        client.Connection.Reconnected += _ => { reconnected.TrySetResult(); return Task.CompletedTask; };
        client.Connection.Closed += ex => { reconnected.TrySetException(new InvalidOperationException("closed: " + ex)); return Task.CompletedTask; };
        await client.Connection.StartAsync();

        _ = client.Connection.InvokeAsync<bool>(nameof(AlertsHub.Acknowledge), -1L, 0); // the server drops the connection
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var raisedWhileDown = await raised.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // Live on the new connection or caught up on reconnecting: it arrives.
        ScreenAlert a;
        do a = await client.NextAsync(); while (a.EmergencyId != raisedWhileDown);
    }

    [Fact]
    public async Task Acknowledging_on_one_screen_clears_it_on_the_persons_other_screens()
    {
        await using var tab1 = await AlertsClient.ConnectAsync(app.BaseUrl, "vp");
        await using var tab2 = await AlertsClient.ConnectAsync(app.BaseUrl, "vp");
        var id = await RaiseAsync("MKT");
        ScreenAlert a;
        do a = await tab1.NextAsync(); while (a.EmergencyId != id);
        Assert.True(await tab1.Connection.InvokeAsync<bool>(nameof(AlertsHub.Acknowledge), a.BatchId, a.EmergencyId));
        long[] acked;
        do acked = await tab2.NextAcknowledgedAsync(); while (!acked.Contains(a.BatchId));
        // Nobody else can acknowledge it for them: the screens' alert (one message for everyone the alert row names) is acknowledged
        // for the person signed in — someone the row does not name acknowledges nothing, leadership (named too) only their own.
        await using var other = await AlertsClient.ConnectAsync(app.BaseUrl, "enghandler");
        Assert.False(await other.Connection.InvokeAsync<bool>(nameof(AlertsHub.Acknowledge), a.BatchId, a.EmergencyId));
        await using var leader = await AlertsClient.ConnectAsync(app.BaseUrl, "leader");
        Assert.True(await leader.Connection.InvokeAsync<bool>(nameof(AlertsHub.Acknowledge), a.BatchId, a.EmergencyId));
        var rows = (await Emergencies.GetAsync(await app.ActorAsync("leader"), id))!.Value.Alerts;
        Assert.Equal(new[] { (await app.ActorAsync("leader")).Id, (await app.ActorAsync("vp")).Id }.Order(),
            rows.Where(r => r.AcknowledgedAt is not null).Select(r => r.UserId).Order());
    }

    [Fact]
    public async Task Acknowledging_what_is_not_the_persons_own_pending_alert_of_that_emergency_is_refused_and_changes_nothing()
    {
        var manager = await app.ActorAsync("engmanager");
        var first = await RaiseAsync("ENG");
        var second = await RaiseAsync("ENG");
        var elsewhere = await RaiseAsync("PM"); // names no one of engineering
        await using var client = await AlertsClient.ConnectAsync(app.BaseUrl, "engmanager");
        var mine = await client.NextOfAsync(first);
        var other = await client.NextOfAsync(second);
        var notMine = AlertIds.Split((await Emergencies.GetAsync(await app.ActorAsync("leader"), elsewhere))!.Value.Alerts[0].Id).BatchId;
        Task<bool> AcknowledgeAsync(long row, int emergencyId) => client.Connection.InvokeAsync<bool>(nameof(AlertsHub.Acknowledge), row, emergencyId);

        // An id a screen kept from before an upgrade (sql/0260) reads, by the id arithmetic, as another alert row: when that row is of
        // another emergency than the one the screen shows, it is refused — and the person's alert of that other emergency stays pending.
        Assert.False(await AcknowledgeAsync(other.BatchId, first));
        Assert.False(await AcknowledgeAsync(notMine, elsewhere)); // a row that does not name them
        Assert.Equal([first, second], (await Emergencies.PendingAlertsAsync(manager.Id)).Select(a => a.EmergencyId).Where(e => e >= first));

        Assert.True(await AcknowledgeAsync(mine.BatchId, first));
        Assert.False(await AcknowledgeAsync(mine.BatchId, first)); // no longer pending
        Assert.Equal([second], (await Emergencies.PendingAlertsAsync(manager.Id)).Select(a => a.EmergencyId).Where(e => e >= first));
    }

    [Fact]
    public async Task An_anonymous_connection_is_refused()
    {
        var connection = new HubConnectionBuilder().WithUrl(app.BaseUrl + AlertsHub.Path).Build();
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, ex.StatusCode);
        await connection.DisposeAsync();
    }
}
