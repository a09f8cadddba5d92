using ServiceHub.Benchmarks.Emergencies;

namespace ServiceHub.Benchmarks;

/// <summary>
/// ServiceHub measurements, one sub-command each, run by `./servicehub.sh bench <name> [options]` (never by the test command):
///   complaints [sizes…]            escalation sweep and department queue at 100k and 1M complaints
///   alerts [--clients 1000] [--rounds 5] [--instances 1] [--redis]   emergency alert delivery to 1,000 hub clients (clients in a
///                                  child process; 2+ instances through a private redis-server) and server memory per connection
///   duplicates [look-ups] [complaints]   duplicate suggestion at intake at 1,000,000 complaints: the app's shape and shape A, their overlap
///   auto-closure [complaints] [eligible] [rounds] [time|scattered]   one-week auto-closure at 1,000,000 complaints, 50,000 eligible
///   annual-report [complaints] [visits] [rounds]     the Annual Service Review Report at 1,000,000 complaints, 300,000 return visits
///   annual-report documents [rounds] [font-path] [face-index]   the demo year's PDF and Excel: sizes and times
///   kpi [complaints] [consultations] [rounds]   the KPI dashboard's queries at 1,000,000 complaints and 300,000 consultations
///   concurrent-saves [agents] [rounds]   200 agents saving a contact at the same moment: p95 of one save, gapless numbers
///   circuits [sizes…] [--think S] [--warmup S] [--measure S]   50/100/200 signed-in handlers in Blazor circuits: latency, app CPU per step, memory per circuit
///   backup [complaints]            backup (pg_dump, verify) and restore (new database, pg_restore, check) at 1,000,000 complaints
/// Each needs a PostgreSQL server in SERVICEHUB_BENCH_SERVER (or ConnectionStrings__ServiceHub) and creates and drops its own databases.
/// </summary>
public static class Benchmarks
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Commands = new()
    {
        ["complaints"] = ComplaintDeskBenchmark.RunCommandAsync,
        ["alerts"] = AlertsBenchmark.RunAsync,
        ["alerts-clients"] = AlertsBenchmark.ClientsAsync, // the alerts benchmark's child process
        ["duplicates"] = a => DuplicateSuggestionBenchmark.RunAsync(Database("sh_bench_duplicates", create: true), a),
        ["kpi"] = KpiBenchmark.RunAsync,
        ["concurrent-saves"] = a => ConcurrentSavesBenchmark.RunAsync(Database("sh_bench_saves", create: true), a),
        ["auto-closure"] = a => AutoClosureBenchmark.RunAsync(Database("sh_bench_autoclosure", create: false), a),
        ["annual-report"] = a => a.Length > 0 && a[0] == "documents"
            ? AnnualReportDocumentsBenchmark.RunAsync(Database("sh_bench_annual_documents", create: false), a[1..])
            : AnnualReportBenchmark.RunAsync(a.Length > 0 && a[0] == "seed" ? "" : Database("sh_bench_annual", create: false), a),
        ["circuits"] = Circuits.CircuitsBenchmark.RunAsync,
        ["backup"] = a => BackupRestoreBenchmark.RunAsync(Database("sh_bench_backup", create: false), a),
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var command))
        {
            Console.Error.WriteLine($"usage: ServiceHub.Benchmarks <{string.Join("|", Commands.Keys)}> [options]");
            return 2;
        }
        try
        {
            return await command(args[1..]);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{args[0]}: {e.Message}");
            return 2;
        }
    }

    /// <summary>A database of its own on the benchmark server (created empty when asked; some benchmarks recreate it themselves).</summary>
    public static string Database(string name, bool create)
    {
        var server = Server();
        if (create) BenchDatabase.RecreateAsync(new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString).GetAwaiter().GetResult();
        return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name, CommandTimeout = 0 }.ConnectionString;
    }

    public static string Server() =>
        Environment.GetEnvironmentVariable("SERVICEHUB_BENCH_SERVER") ?? Environment.GetEnvironmentVariable("ConnectionStrings__ServiceHub")
        ?? throw new InvalidOperationException("Set SERVICEHUB_BENCH_SERVER to a PostgreSQL connection string (or use ./servicehub.sh bench).");
}
