using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// Where every test clock starts, so no test depends on the day it runs: Thursday 26 November 2026, 10:00 in Beijing, a working
/// day of the seeded 2026 calendar (no holiday, no make-up day near it) and within business hours. A test that needs another time
/// moves its clock forward from here (a <c>FakeTimeProvider</c> never goes back).
/// </summary>
public static class TestClock
{
    public static readonly DateTimeOffset Start = Beijing(2026, 11, 26, 10);

    /// <summary>A wall-clock time in Beijing as an instant.</summary>
    public static DateTimeOffset Beijing(int year, int month, int day, int hour = 0, int minute = 0) =>
        BusinessTime.FromLocal(new DateTime(year, month, day, hour, minute, 0));
}
