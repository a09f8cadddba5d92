using System.Diagnostics;

namespace ServiceHub.Tests.Admin;

public sealed class StartupTests
{
    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_one_clear_line_and_a_non_zero_exit()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ServiceHub.App.dll");
        var psi = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        // A production start with every required setting, whose database cannot be reached.
        foreach (var (key, value) in ServiceHub.Tests.Operations.ProductionConfiguration.Settings(Path.GetTempPath()))
            psi.Environment[key.Replace(":", "__")] = value;
        psi.Environment["ConnectionStrings__ServiceHub"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=nobody;Timeout=2";
        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.NotEqual(0, process.ExitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("cannot reach its database", lines[0]);
    }
}
