using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ServiceHub.Data.Admin;

/// <summary>
/// Seeds the demo company when the database has none, and the first time also plays its history (<paramref name="history"/>,
/// about a minute). A second start finds the company and changes nothing.
/// </summary>
public sealed class DemoStartup(DemoSeeder seeder, DemoHistory? history, TimeProvider clock, ILogger<DemoStartup> log)
{
    public async Task RunAsync(CancellationToken ct = default)
    {
        if (!await seeder.SeedAsync(ct)) return;
        log.LogInformation("Demo company seeded");
        if (history is null) return;
        log.LogInformation("Playing the demo company's history since 1 January last year (about a minute, once)");
        var started = Stopwatch.StartNew();
        var refused = await history.SeedAsync(clock.GetUtcNow(), ct, new DemoHistoryLog(log, started));
        log.LogInformation("Demo history played in {Seconds:0} s ({Refused} steps refused)", started.Elapsed.TotalSeconds, refused.Count);
    }
}

/// <summary>
/// The console's progress line of the demo history: one log line at every tenth of the way ("Demo history 40% (simulated 2025-06-02,
/// 2,310 steps, 24 s)"), so a first start is not a silent wait.
/// </summary>
public sealed class DemoHistoryLog(ILogger log, Stopwatch started) : IProgress<DemoHistoryProgress>
{
    private int _lastTenth = -1;

    public void Report(DemoHistoryProgress value)
    {
        var tenth = value.Percent / 10;
        if (tenth <= _lastTenth) return;
        _lastTenth = tenth;
        log.LogInformation("Demo history {Percent}% (simulated {Day:yyyy-MM-dd}, {Steps:N0} steps, {Seconds:0} s)",
            tenth * 10, Infrastructure.BusinessTime.ToLocal(value.SimulatedNow), value.StepsPlayed, started.Elapsed.TotalSeconds);
    }
}
