using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Admin;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The demo company, kept out of the production path: registered only when the demo is asked for (<c>ServiceHub:SeedDemo</c>),
/// seeded once at start-up by <see cref="SeedServiceHubDemoAsync"/>, with its history when <c>ServiceHub:SeedDemoHistory</c> is set.
/// </summary>
public static class DemoServiceCollectionExtensions
{
    public static IServiceCollection AddServiceHubDemo(this IServiceCollection services, string connectionString, IConfiguration configuration)
    {
        var playHistory = configuration.GetValue("ServiceHub:SeedDemoHistory", false);
        services.AddSingleton<DemoSeeder>();
        services.AddSingleton(sp => new DemoStartup(
            sp.GetRequiredService<DemoSeeder>(),
            playHistory ? new DemoHistory(connectionString, sp.GetRequiredService<ILogger<DemoHistory>>()) : null,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DemoStartup>>()));
        return services;
    }

    /// <summary>The start-up step of the demo: seeds the company once (and plays its history the first time).</summary>
    public static Task SeedServiceHubDemoAsync(this IServiceProvider services, CancellationToken ct = default) =>
        services.GetRequiredService<DemoStartup>().RunAsync(ct);
}
