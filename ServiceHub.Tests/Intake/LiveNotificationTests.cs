using Npgsql;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Intake;

/// <summary>
/// Notifications are pushed the moment they are committed (issue #11 point 4: the bell and a live push): the table's trigger announces
/// the people concerned, the app's listener passes it to their subscribers; a rolled-back notification is never announced.
/// </summary>
// Shares the collection's app: tests of the collection run one at a time, so only this test notifies while it listens; the clock is not moved.
[Collection(AppCollection.Name)]
public sealed class LiveNotificationTests(AppFactory app)
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(30);

    private async Task NotifyAsync(int userId, string dedupe, bool commit)
    {
        await using var conn = await app.Get<NpgsqlDataSource>().OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await NotificationRepository.NotifyAsync(conn, tx, [userId], app.Clock.GetUtcNow(), "handover", null, "Notify.HandOverResult", ["甲", "LD-1"], "/", dedupe, default);
        if (commit) await tx.CommitAsync();
        else await tx.RollbackAsync();
    }

    [Fact]
    public async Task A_committed_notification_reaches_its_persons_subscribers_and_a_rolled_back_one_never_does()
    {
        var users = app.Get<ServiceHub.Data.Admin.UserRepository>();
        var handler = (await users.FindByUserNameAsync("handler"))!.Id;
        var agent = (await users.FindByUserNameAsync("agent"))!.Id;
        var feed = app.Get<NotificationFeed>();
        var toHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var toAgent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerCalls = 0;
        using var a = feed.Subscribe(handler, () => { Interlocked.Increment(ref handlerCalls); toHandler.TrySetResult(); return Task.CompletedTask; });
        using var b = feed.Subscribe(agent, () => { toAgent.TrySetResult(); return Task.CompletedTask; });

        await feed.Listening.WaitAsync(Ceiling);
        // Announcements arrive in commit order: once the agent's is in, the rolled-back one for the handler would have come before it.
        await NotifyAsync(handler, "rolled-back", commit: false);
        await NotifyAsync(agent, "committed-agent", commit: true);
        await toAgent.Task.WaitAsync(Ceiling);
        Assert.False(toHandler.Task.IsCompleted);

        await NotifyAsync(handler, "committed", commit: true);
        await toHandler.Task.WaitAsync(Ceiling);
        Assert.Equal(1, handlerCalls);
    }
}
