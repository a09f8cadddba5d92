using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Emergencies;

/// <summary>Several instances: an alert raised on one reaches a person connected to another, and so does its acknowledgement.</summary>
public sealed class BackplaneTests(TwoInstances apps) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task An_emergency_raised_on_instance_A_reaches_a_manager_connected_to_instance_B()
    {
        Assert.NotEqual(apps.A.BaseUrl, apps.B.BaseUrl);
        await using var managerOnB = await AlertsClient.ConnectAsync(apps.B.BaseUrl, "pmmanager");
        await using var leaderOnA = await AlertsClient.ConnectAsync(apps.A.BaseUrl, "leader");

        var db = apps.A.Get<NpgsqlDataSource>();
        var id = await apps.A.Get<EmergencyRepository>().ReportAsync(
            await apps.A.Get<UserRepository>().ActorAsync("agent"), await EmergencyTestData.ReportAsync(db, apps.Clock.GetUtcNow(), "PM"));

        var onB = await managerOnB.NextAsync();
        Assert.Equal((id, AlertReasons.Raised), (onB.EmergencyId, onB.Reason));
        Assert.Equal(id, (await leaderOnA.NextAsync()).EmergencyId);

        // Acknowledged on B (through B's hub), the manager's screen on A drops it too.
        await using var managerOnA = await AlertsClient.ConnectAsync(apps.A.BaseUrl, "pmmanager");
        Assert.Equal(onB.BatchId, (await managerOnA.NextAsync()).BatchId); // caught up on connecting to A
        Assert.True(await managerOnB.Connection.InvokeAsync<bool>("Acknowledge", onB.BatchId, onB.EmergencyId));
        Assert.Contains(onB.BatchId, await managerOnA.NextAcknowledgedAsync());
    }

    [Fact]
    public async Task One_message_per_alert_reaches_its_people_on_both_instances_and_no_one_of_another_department()
    {
        await using var managerOnB = await AlertsClient.ConnectAsync(apps.B.BaseUrl, "pmmanager");
        await using var vpOnA = await AlertsClient.ConnectAsync(apps.A.BaseUrl, "vp");
        await using var engManagerOnB = await AlertsClient.ConnectAsync(apps.B.BaseUrl, "engmanager");
        await using var engHandlerOnA = await AlertsClient.ConnectAsync(apps.A.BaseUrl, "enghandler");

        var id = await apps.A.Get<EmergencyRepository>().ReportAsync(
            await apps.A.Get<UserRepository>().ActorAsync("agent"), await EmergencyTestData.ReportAsync(apps.A.Get<NpgsqlDataSource>(), apps.Clock.GetUtcNow(), "PM"));

        // The manager (through Redis) and the vice-president (on the raising instance) get the same message: the alert row, once.
        var onB = await managerOnB.NextOfAsync(id);
        Assert.Equal(onB, await vpOnA.NextOfAsync(id));
        // A message sent on each instance after the alert: the other department's people, on either instance, got nothing before it.
        foreach (var app in new[] { apps.A, apps.B })
            await app.Get<IHubContext<AlertsHub, IAlertsClient>>().Clients.All.AlertsAcknowledged([long.MinValue]);
        foreach (var c in new[] { engManagerOnB, engHandlerOnA })
        {
            while (!(await c.NextAcknowledgedAsync()).Contains(long.MinValue)) { }
            Assert.DoesNotContain(c.Drain(), a => a.EmergencyId == id);
        }
    }

    [Fact]
    public async Task A_call_announced_on_instance_A_pops_up_on_the_agents_screen_on_instance_B()
    {
        var agentOnB = await AlertsClient.ConnectAsync(apps.B.BaseUrl, "agent", start: false);
        await using var _ = agentOnB;
        var popped = new TaskCompletionSource<ScreenPopMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        agentOnB.Connection.On<ScreenPopMessage>("ScreenPop", p => popped.TrySetResult(p));
        await agentOnB.Connection.StartAsync();

        var agent = await apps.A.Get<UserRepository>().ActorAsync("agent");
        await apps.A.Get<AlertsPush>().ScreenPopAsync(agent.Id, new ScreenPopMessage(4711, "138****0000", apps.Clock.GetUtcNow(), null, null));
        Assert.Equal(4711L, (await popped.Task.WaitAsync(TimeSpan.FromSeconds(10))).CallId);
    }
}
