using ServiceHub.Benchmarks;

// Full-size measurements, run by `./servicehub.sh bench <name>` (never by the test command).
// The database: SERVICEHUB_BENCH_DB (a server connection string; the benchmark creates and drops its own databases).
var server = Environment.GetEnvironmentVariable("SERVICEHUB_BENCH_DB")
    ?? Environment.GetEnvironmentVariable("ConnectionStrings__ServiceHub")
    ?? throw new InvalidOperationException("Set SERVICEHUB_BENCH_DB (or use ./servicehub.sh bench).");
var name = args.FirstOrDefault() ?? "all";
var sizes = args.Skip(1).Select(int.Parse).ToArray();

switch (name)
{
    case "complaints":
        await ComplaintDeskBenchmark.RunAsync(server, sizes);
        break;
    case "all":
        await ComplaintDeskBenchmark.RunAsync(server, sizes);
        break;
    default:
        Console.Error.WriteLine($"unknown benchmark {name}; known: complaints, all");
        return 2;
}
return 0;
