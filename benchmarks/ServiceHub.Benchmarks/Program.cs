// ServiceHub benchmarks against a private PostgreSQL (never inside the test command):
//   dotnet run -c Release --project benchmarks/ServiceHub.Benchmarks -- <name>
// The database comes from SERVICEHUB_BENCH_DB or ConnectionStrings__ServiceHub.
using ServiceHub.Benchmarks;

var cs = Environment.GetEnvironmentVariable("SERVICEHUB_BENCH_DB") ?? Environment.GetEnvironmentVariable("ConnectionStrings__ServiceHub")
    ?? throw new InvalidOperationException("Set SERVICEHUB_BENCH_DB (or ConnectionStrings__ServiceHub) to a private PostgreSQL database.");
var name = args.FirstOrDefault() ?? "";
return name switch
{
    "duplicates" => await DuplicateSuggestionBenchmark.RunAsync(cs, args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ServiceHub.Benchmarks <duplicates> [options]");
    return 2;
}
