// ServiceHub benchmarks: dotnet run -c Release --project benchmarks/ServiceHub.Benchmarks -- <name>
// The database comes from SERVICEHUB_BENCH_DB (or ConnectionStrings__ServiceHub); it is dropped and recreated.
using ServiceHub.Benchmarks;

var name = args.Length > 0 ? args[0] : "";
var cs = Environment.GetEnvironmentVariable("SERVICEHUB_BENCH_DB") ?? Environment.GetEnvironmentVariable("ConnectionStrings__ServiceHub");
if (string.IsNullOrWhiteSpace(cs))
{
    Console.Error.WriteLine("Set SERVICEHUB_BENCH_DB to a connection string of a PostgreSQL database the benchmark may drop and recreate.");
    return 2;
}
switch (name)
{
    case "auto-closure":
        return await AutoClosureBenchmark.RunAsync(cs, args.Skip(1).ToArray());
    default:
        Console.Error.WriteLine("usage: ServiceHub.Benchmarks auto-closure [complaints=1000000] [eligible=50000] [rounds=3]");
        return 2;
}
