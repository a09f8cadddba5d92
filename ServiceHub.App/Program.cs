using Npgsql;
using ServiceHub.App.Infrastructure;
using ServiceHub.App.Operations;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Operations;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseStaticWebAssets(); // MudBlazor assets also when run from a build (not only in Development)

if (await OperationsCommands.BeforeStartAsync(args, builder) is { } exitCode) return exitCode; // admin/backup/restore verbs; production settings

var connectionString = builder.Configuration.GetConnectionString("ServiceHub");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("ServiceHub: no database configured. Set ConnectionStrings__ServiceHub (or use ./servicehub.sh run).");
    return 2;
}
var demo = builder.Configuration.GetValue("ServiceHub:SeedDemo", false);

SecuritySettings security;
try
{
    security = SecuritySettings.Read(builder.Configuration).RequireFor(builder.Environment);
}
catch (SecuritySettings.InvalidException ex)
{
    Console.Error.WriteLine($"ServiceHub: {ex.Message}");
    return 2;
}
if (Telemetry.InvalidSetting(builder.Configuration) is { } telemetryProblem)
{
    Console.Error.WriteLine($"ServiceHub: {telemetryProblem}");
    return 2;
}

try
{
    await DatabaseStartup.CheckReachableAsync(connectionString);
    var applied = Migrator.Run(connectionString, waiting: m => Console.Error.WriteLine($"ServiceHub: {m}"));
    Console.Error.WriteLine(applied.Count == 0
        ? "ServiceHub: the database schema is up to date; no migration applied."
        : $"ServiceHub: applied {applied.Count} migrations ({applied[0]} to {applied[^1]}).");
    await Installation.CheckDemoSeedingAsync(connectionString, demo);
}
catch (Exception ex) when (ex is DatabaseStartup.StartupException or Migrator.MigrationException)
{
    Console.Error.WriteLine($"ServiceHub: {ex.Message}");
    return 1;
}

builder.AddServiceHubTelemetry();
builder.Services
    .AddServiceHubData(connectionString)
    .AddServiceHubJobs(connectionString, builder.Configuration)
    .AddServiceHubApp(builder.Configuration);
if (demo) builder.Services.AddServiceHubDemo(connectionString, builder.Configuration);

var app = builder.Build();
security.LogWarnings(app.Logger, app.Environment);

try
{
    await DatabaseStartup.CheckChineseTrigramsAsync(app.Services.GetRequiredService<NpgsqlDataSource>());
}
catch (DatabaseStartup.StartupException ex)
{
    Console.Error.WriteLine($"ServiceHub: {ex.Message}");
    return 1;
}

if (args is ["job", var jobId])
{
    // `ServiceHub.App job <id>`: one run of a recurring job in this process, then exit (no web server, no job server).
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    if (await ServiceHub.Jobs.Infrastructure.JobCommand.RunOnceAsync(app.Services, jobId, stop.Token)) return 0;
    Console.Error.WriteLine($"ServiceHub: no job '{jobId}'. Jobs: {string.Join(", ", ServiceHub.Jobs.Infrastructure.JobCommand.Ids)}");
    return 2;
}

if (demo) await app.Services.SeedServiceHubDemoAsync();
app.Services.RegisterServiceHubJobs();

app.UseServiceHub(security);
app.MapServiceHub();

await app.RunAsync();
return 0;

public partial class Program;
