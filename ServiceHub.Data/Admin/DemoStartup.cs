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
        var refused = await history.SeedAsync(clock.GetUtcNow(), ct);
        log.LogInformation("Demo history played in {Seconds:0} s ({Refused} steps refused)", started.Elapsed.TotalSeconds, refused.Count);
    }
}
