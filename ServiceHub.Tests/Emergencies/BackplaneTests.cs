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
        Assert.Equal(onB.AlertId, (await managerOnA.NextAsync()).AlertId); // caught up on connecting to A
        Assert.True(await managerOnB.Connection.InvokeAsync<bool>("Acknowledge", onB.AlertId));
        Assert.Contains(onB.AlertId, await managerOnA.NextAcknowledgedAsync());
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
