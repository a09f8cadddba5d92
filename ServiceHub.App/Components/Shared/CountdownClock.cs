namespace ServiceHub.App.Components.Shared;

/// <summary>
/// The one clock that moves the app's countdowns (issue #14 point 6): a single timer on the app's <see cref="TimeProvider"/>, ticking
/// once a second only while something subscribes — one <see cref="CountdownScope"/> per circuit showing a running countdown, and the
/// emergency alerts while one is shown. Replaces a timer per page that re-rendered the whole page every second.
/// </summary>
public sealed class CountdownClock(TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Action<DateTimeOffset>[] _subscribers = [];
    private ITimer? _timer;

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>Calls <paramref name="tick"/> with the time every second (on a timer thread) until the subscription is disposed.</summary>
    public IDisposable Subscribe(Action<DateTimeOffset> tick)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, tick];
            _timer ??= clock.CreateTimer(_ => Tick(), null, Period, Period);
        }
        return new Subscription(() =>
        {
            lock (_gate)
            {
                _subscribers = _subscribers.Where(s => s != tick).ToArray();
                if (_subscribers.Length > 0) return;
                _timer?.Dispose();
                _timer = null;
            }
        });
    }

    private void Tick()
    {
        var now = clock.GetUtcNow();
        foreach (var tick in Volatile.Read(ref _subscribers)) tick(now);
    }

    public void Dispose()
    {
        lock (_gate) _timer?.Dispose();
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;
        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
