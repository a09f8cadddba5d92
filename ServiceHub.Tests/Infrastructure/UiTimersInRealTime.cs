using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Time.Testing;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The app's clock in a test host: the test's <see cref="FakeTimeProvider"/> for everything — the time the app reads, its own timers
/// (countdowns, sweeps) — except the timers MudBlazor's components start for the user interface (an autocomplete's or a text field's
/// debounce, a form's validation delay), which run in real time as they do for a user.
/// </summary>
/// <remarks>
/// MudBlazor 9 waits on the injected <see cref="TimeProvider"/>. On the test's clock, which moves only when a test moves it, an
/// autocomplete's 250 ms debounce never ended: the customer field's list opened only when the field's focus handler happened to run
/// its search after the typed text had reached the server (a race with the browser), and stayed closed otherwise
/// (FirstResponderBrowserTests waited 30 s for it in a loaded run). A timer is MudBlazor's when a MudBlazor method is on the stack
/// that creates it (directly, or through <c>Task.Delay(…, TimeProvider)</c> in its debounce dispatcher).
/// </remarks>
public sealed class UiTimersInRealTime(FakeTimeProvider clock) : TimeProvider
{
    private static readonly Assembly MudBlazor = typeof(MudBlazor.MudAutocomplete<>).Assembly;

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();
    public override long GetTimestamp() => clock.GetTimestamp();
    public override long TimestampFrequency => clock.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        (StartedByMudBlazor() ? System : clock).CreateTimer(callback, state, dueTime, period);

    private static bool StartedByMudBlazor() =>
        new StackTrace(2, false).GetFrames().Any(f => f.GetMethod()?.DeclaringType?.Assembly == MudBlazor);
}
