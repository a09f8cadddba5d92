using ServiceHub.Benchmarks.Emergencies;

namespace ServiceHub.Benchmarks;

/// <summary>
/// ServiceHub measurements, one sub-command each (never run by the test command):
///   dotnet run -c Release --project benchmarks/ServiceHub.Benchmarks -- alerts [--clients 1000] [--rounds 5]
/// Each needs a PostgreSQL server in SERVICEHUB_BENCH_SERVER (or ConnectionStrings__ServiceHub) and creates and drops its own database.
/// </summary>
public static class Benchmarks
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Commands = new()
    {
        ["alerts"] = AlertsBenchmark.RunAsync,
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var command))
        {
            Console.Error.WriteLine($"usage: ServiceHub.Benchmarks <{string.Join("|", Commands.Keys)}> [options]");
            return 2;
        }
        return await command(args[1..]);
    }
}
