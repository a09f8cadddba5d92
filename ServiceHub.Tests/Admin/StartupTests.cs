using System.Diagnostics;

namespace ServiceHub.Tests.Admin;

public sealed class StartupTests
{
    /// <summary>Starts the built app as a process with <paramref name="environment"/> and waits for it to stop; its exit code and stderr lines.</summary>
    public static async Task<(int ExitCode, string[] ErrorLines)> RunAppAsync(IDictionary<string, string> environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ServiceHub.App.dll");
        var psi = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (process.ExitCode, stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_one_clear_line_and_a_non_zero_exit()
    {
        var (exitCode, lines) = await RunAppAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__ServiceHub"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=nobody;Timeout=2",
            ["DataProtection__AllowUnencryptedKeys"] = "true",
        });
        Assert.NotEqual(0, exitCode);
        Assert.Contains("cannot reach its database", Assert.Single(lines));
    }
}
