using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Admin;

namespace ServiceHub.Tests.Admin;

/// <summary>The console's progress line of the first start's demo history: one line at every tenth of the way, never backwards.</summary>
public sealed class DemoHistoryLogTests
{
    private sealed class Lines : ILogger
    {
        public List<string> Written { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Written.Add(formatter(state, exception));
    }

    [Fact]
    public void A_line_at_every_tenth_with_the_simulated_day_and_the_steps_played()
    {
        var console = new Lines();
        var log = new DemoHistoryLog(console, Stopwatch.StartNew());
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

        for (var percent = 0; percent <= 100; percent++)
            log.Report(new DemoHistoryProgress(percent, start.AddDays(percent * 3), percent * 40));
        log.Report(new DemoHistoryProgress(55, start, 1)); // late and out of order: nothing new

        Assert.Equal(11, console.Written.Count);
        Assert.StartsWith("Demo history 0% (simulated 2025-01-01, 0 steps", console.Written[0]);
        Assert.StartsWith("Demo history 40% (simulated 2025-05-01, 1,600 steps", console.Written[4]);
        Assert.StartsWith("Demo history 100% ", console.Written[^1]);
    }

    [Fact]
    public void The_percent_is_the_share_of_the_simulated_time_played()
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var until = start.AddDays(100);
        Assert.Equal(0, DemoHistoryProgress.PercentOf(start, until, start.AddHours(-1)));
        Assert.Equal(42, DemoHistoryProgress.PercentOf(start, until, start.AddDays(42.9)));
        Assert.Equal(100, DemoHistoryProgress.PercentOf(start, until, until.AddDays(1)));
    }
}
