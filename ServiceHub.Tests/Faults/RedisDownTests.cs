using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Tests.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Faults;

/// <summary>
/// Issue #16 point 4: Redis down while two instances run. Alerts still reach the screens on the instance that raised them, live;
/// screens on the other instance get them when they (re)connect, and those that stayed connected get them once Redis is back; from
/// then on live delivery across the instances goes on, without restarting either.
/// </summary>
[Trait("Category", "faults")]
public sealed class RedisDownTests(TwoInstances apps) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task With_Redis_down_the_raising_instance_alerts_live_the_other_on_reconnection_and_live_again_once_Redis_is_back()
    {
        // The PM department's manager on A, a leader (leadership is alerted of every emergency) on B.
        await using var managerOnA = await AlertsClient.ConnectAsync(apps.A.BaseUrl, "pmmanager");
        await using var leaderOnB = await AlertsClient.ConnectAsync(apps.B.BaseUrl, "leader");

        await apps.Redis.StopAsync();
        await Eventually.WaitAsync(() => !TwoInstances.Backplane(apps.A).Live && !TwoInstances.Backplane(apps.B).Live, TwoInstances.Patience,
            "both instances to find Redis gone");

        var first = await RaiseOnAsync(apps.A);
        Assert.Equal(AlertReasons.Raised, (await managerOnA.NextOfAsync(first)).Reason); // live, on the instance that raised it
        // A screen connecting to B now (a reload, a reconnection) gets it from the database; the one that stayed connected had
        // nothing live (nothing could cross).
        await using (var leaderReconnectsToB = await AlertsClient.ConnectAsync(apps.B.BaseUrl, "leader"))
            Assert.Equal(first, (await leaderReconnectsToB.NextOfAsync(first)).EmergencyId);
        Assert.DoesNotContain(leaderOnB.Drain(), a => a.EmergencyId == first);

        await apps.Redis.StartAgainAsync();
        await Eventually.WaitAsync(() => apps.BothLive, TwoInstances.Patience, "both instances to be live through Redis again");
        // The screen that stayed on B is caught up without reconnecting, and live delivery crosses the instances again, both ways.
        Assert.Equal(first, (await leaderOnB.NextOfAsync(first)).EmergencyId);
        var second = await RaiseOnAsync(apps.A);
        Assert.Equal(second, (await leaderOnB.NextOfAsync(second)).EmergencyId);
        var third = await RaiseOnAsync(apps.B);
        Assert.Equal(third, (await managerOnA.NextOfAsync(third)).EmergencyId);
    }

    /// <summary>An agent reports a fire for the PM department on <paramref name="app"/>; the emergency's id.</summary>
    private async Task<int> RaiseOnAsync(AppFactory app) =>
        await app.Get<EmergencyRepository>().ReportAsync(await app.Get<UserRepository>().ActorAsync("agent"),
            await EmergencyTestData.ReportAsync(app.Get<NpgsqlDataSource>(), apps.Clock.GetUtcNow(), "PM"));
}
