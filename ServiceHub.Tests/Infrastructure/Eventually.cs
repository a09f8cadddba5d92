using System.Diagnostics;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>Waits for a condition the test can observe (never a fixed sleep): polls it until true or the time is up.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (sw.Elapsed > timeout) throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}; last value {value}");
            await Task.Delay(20);
        }
    }

    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitAsync(() => Task.FromResult(condition()), done => done, timeout, what);
}
