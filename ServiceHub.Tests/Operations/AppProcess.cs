using System.Diagnostics;

namespace ServiceHub.Tests.Operations;

/// <summary>The built app as its own process (as a server starts it), with the given environment; its exit code and standard error.</summary>
public static class AppProcess
{
    public static async Task<(int ExitCode, string StdErr)> StartAsync(IDictionary<string, string?> environment)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ServiceHub.App.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in environment)
        {
            if (value is null) psi.Environment.Remove(key);
            else psi.Environment[key] = value;
        }
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }

    /// <summary>A complete production configuration (<see cref="ProductionConfiguration"/>) as environment variables.</summary>
    public static Dictionary<string, string?> ProductionEnvironment() =>
        ProductionConfiguration.Settings(Path.GetTempPath()).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
}
