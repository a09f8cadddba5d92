using System.Globalization;

namespace ServiceHub.App.Components.Shared;

/// <summary>
/// The one clock that moves the app's countdowns (issue #14 point 6): a single timer on the app's <see cref="TimeProvider"/>, running
/// only while something subscribes — one <see cref="CountdownScope"/> per circuit showing a running countdown, and the emergency
/// alerts while one is shown. Each subscriber is called once a second, as a countdown's seconds move, but the subscribers are spread
/// over the second in <see cref="Slots"/> groups, one group per <see cref="Step"/>: with 200 circuits on the queue their countdown
/// renders come 20 at a time every 100 ms, not 200 in one burst that the steps of the users working in those circuits queue behind.
/// What a countdown shows is computed from the time of its tick, so it is never more than a second old, as with a timer of its own.
/// </summary>
public sealed class CountdownClock(TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    /// <summary>Groups the subscribers are spread over; the timer ticks one group each <see cref="Step"/>.</summary>
    public const int Slots = 10;
    public static readonly TimeSpan Step = Period / Slots;

    private readonly Lock _gate = new();
    private readonly Action<DateTimeOffset>[][] _slots = Enumerable.Range(0, Slots).Select(_ => Array.Empty<Action<DateTimeOffset>>()).ToArray();
    private int _count;
    private int _next;
    private ITimer? _timer;

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>
    /// Calls <paramref name="tick"/> with the time every second (on a timer thread) until the subscription is disposed, in the culture
    /// of the subscriber (its circuit's language: the timer thread's is whichever circuit first started the timer, and a render that
    /// runs inline on it would otherwise show an English page's countdowns and alerts in Chinese).
    /// </summary>
    public IDisposable Subscribe(Action<DateTimeOffset> subscriber)
    {
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        Action<DateTimeOffset> tick = now =>
        {
            var (previous, previousUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
            try { subscriber(now); }
            finally { (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (previous, previousUi); }
        };
        int slot;
        lock (_gate)
        {
            // The least-loaded slot; of equals, the one that comes up last (the one just ticked: a full second from now).
            slot = (_next + Slots - 1) % Slots;
            for (var i = 1; i < Slots; i++)
            {
                var other = (_next + Slots - 1 - i) % Slots;
                if (_slots[other].Length < _slots[slot].Length) slot = other;
            }
            _slots[slot] = [.. _slots[slot], tick];
            _count++;
            _timer ??= clock.CreateTimer(_ => Tick(), null, Step, Step);
        }
        return new Subscription(() =>
        {
            lock (_gate)
            {
                _slots[slot] = _slots[slot].Where(s => s != tick).ToArray();
                if (--_count > 0) return;
                _timer?.Dispose();
                _timer = null;
                _next = 0;
            }
        });
    }

    private void Tick()
    {
        Action<DateTimeOffset>[] due;
        lock (_gate)
        {
            due = _slots[_next];
            _next = (_next + 1) % Slots;
        }
        if (due.Length == 0) return;
        var now = clock.GetUtcNow();
        foreach (var tick in due) tick(now);
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
