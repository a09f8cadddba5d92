using Hangfire;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// Delivers the outbox: every minute (the safety net), and at once after a commit that queued messages (announced by the database,
/// <see cref="OutboxListener"/>) and after a start (messages queued before a crash). Runs in parallel are safe: each claims other rows.
/// </summary>
public sealed class OutboxDeliveryJob(OutboxDispatcher dispatcher, OutboxSignal signal)
{
    public const string Id = "notifications:outbox-delivery";

    /// <summary>Every minute, Beijing time (the safety net beside the runs woken by a commit).</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing(Cron.Minutely());

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<OutboxDeliveryJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [AutomaticRetry(Attempts = 0)]
    public Task<int> RunAsync(CancellationToken ct)
    {
        signal.Started();
        return dispatcher.RunAsync(ct);
    }
}

/// <summary>Enqueues one delivery run unless one is already waiting to start (a burst of commits needs one run, not one each).</summary>
public sealed class OutboxSignal(IBackgroundJobClient jobs, TimeProvider clock)
{
    /// <summary>A queued run not seen starting for this long (it may run on another instance) no longer holds back the next.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private long _queuedAtTicks;

    public void Wake()
    {
        var now = clock.GetUtcNow().UtcTicks;
        var queued = Interlocked.Read(ref _queuedAtTicks);
        if (queued != 0 && now - queued < Patience.Ticks) return;
        if (Interlocked.CompareExchange(ref _queuedAtTicks, now, queued) != queued) return;
        jobs.Enqueue<OutboxDeliveryJob>(j => j.RunAsync(CancellationToken.None));
    }

    public void Started() => Interlocked.Exchange(ref _queuedAtTicks, 0);
}
