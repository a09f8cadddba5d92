using Hangfire;
using Npgsql;
using ServiceHub.App.Components;
using ServiceHub.App.Infrastructure;
using ServiceHub.App.Operations;
using ServiceHub.Data.Admin;
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

try
{
    await DatabaseStartup.CheckReachableAsync(connectionString);
    Migrator.Run(connectionString, waiting: m => Console.Error.WriteLine($"ServiceHub: {m}"));
    await Installation.CheckDemoSeedingAsync(connectionString, builder.Configuration.GetValue("ServiceHub:SeedDemo", false));
}
catch (Exception ex) when (ex is DatabaseStartup.StartupException or Migrator.MigrationException)
{
    Console.Error.WriteLine($"ServiceHub: {ex.Message}");
    return 1;
}

builder.Services
    .AddServiceHubData(connectionString)
    .AddServiceHubJobs(connectionString, builder.Configuration)
    .AddServiceHubApp(builder.Configuration);

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

if (app.Configuration.GetValue("ServiceHub:SeedDemo", false) && await app.Services.GetRequiredService<DemoSeeder>().SeedAsync())
{
    app.Logger.LogInformation("Demo company seeded");
    if (app.Configuration.GetValue("ServiceHub:SeedDemoHistory", false))
    {
        app.Logger.LogInformation("Playing the demo company's history since 1 January last year (about a minute, once)");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var refused = await new DemoHistory(app.Configuration.GetConnectionString("ServiceHub")!, app.Logger)
            .SeedAsync(app.Services.GetRequiredService<TimeProvider>().GetUtcNow());
        app.Logger.LogInformation("Demo history played in {Seconds:0} s ({Refused} steps refused)", started.Elapsed.TotalSeconds, refused.Count);
    }
}

app.Services.RegisterServiceHubJobs();

app.UseTransportSecurity(security);
if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseRequestLocalization();
app.UseSignInRateLimiting();
app.UseAuthentication();
app.UsePasswordChangeGate();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapServiceHubEndpoints();
app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Admin, "/hangfire", new DashboardOptions { DashboardTitle = "ServiceHub jobs" });
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

public partial class Program;
