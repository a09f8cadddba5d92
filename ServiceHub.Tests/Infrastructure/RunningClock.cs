using System.Diagnostics;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// A clock that starts at <see cref="TestClock.Start"/> and runs at real speed; timers and delays are real. For component tests
/// that type into debounced inputs (MudBlazor waits on the injected <see cref="TimeProvider"/>) and need no control of the time,
/// only a date that is not today's. A test that moves time uses a <c>FakeTimeProvider</c> instead.
/// </summary>
public sealed class RunningClock : TimeProvider
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => TestClock.Start + Stopwatch.GetElapsedTime(_started);
}
