using System.Diagnostics;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>
/// Issue #12 point 3: the self-contained build of <c>./servicehub.sh publish</c> runs the app on a server without any .NET: its
/// executable, started with an environment that holds no <c>dotnet</c> on the PATH and no <c>DOTNET_ROOT</c>, runs in Production on the
/// runtime it carries (the process maps <c>libcoreclr.so</c> from the published folder, nothing from an installed .NET), answers
/// <c>/healthz</c> healthy and serves the sign-in page. The publish is the repository's own (artifacts/servicehub), incremental: the
/// test command has just built the sources, so only a first publish in a checkout compiles anything. Slow (a publish, then a start): it
/// starts first (<see cref="LongestFirst"/>), and <c>--filter "Category!=Slow"</c> leaves it out of a quick run.
/// </summary>
[Trait("Category", "Slow")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // bash, /proc and Unix file modes
public sealed class PublishedBuildTests
{
    private static readonly string Published = Path.Combine(Repository.Root, "artifacts", "servicehub");

    [Fact]
    public async Task The_published_build_runs_in_production_without_any_dotnet_on_the_machine()
    {
        await PublishAsync();
        var executable = Path.Combine(Published, "ServiceHub.App");
        Assert.True(File.Exists(executable), $"no {executable}");

        // Memory per circuit (issue #14 point 6): the workstation GC, compacting gen2 rather than growing it (docs/benchmarks.md).
        using (var config = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Published, "ServiceHub.App.runtimeconfig.json"))))
        {
            var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
            Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
            Assert.Equal(8, properties.GetProperty("System.GC.ConserveMemory").GetInt32());
        }

        // The server's PATH: a folder with nothing in it, so no dotnet (nor anything else) can be found on it.
        var bin = Directory.CreateTempSubdirectory("servicehub-nodotnet-").FullName;
        var cs = await TestServer.CreateDatabaseAsync("published");
        try
        {
            var url = $"http://127.0.0.1:{Loopback.FreePort()}";
            var environment = AppProcess.ProductionEnvironment().Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!);
            environment["PATH"] = bin;
            environment["HOME"] = bin;
            environment["ASPNETCORE_URLS"] = url;
            environment["DataProtection__AllowUnencryptedKeys"] = "false"; // keys encrypted with the certificate, as production has them
            Assert.DoesNotContain(environment.Keys, k => k.StartsWith("DOTNET", StringComparison.Ordinal));
            Assert.DoesNotContain(environment["PATH"].Split(':'), dir => File.Exists(Path.Combine(dir, "dotnet")));
            Assert.Empty(Directory.EnumerateFileSystemEntries(bin));

            await using var app = ChildProcess.StartPublishedApp(executable, cs, "sh-published", environment);
            await app.WaitUntilHealthyAsync(url, TimeSpan.FromMinutes(2));

            // Its runtime is the one it carries: no installed .NET is mapped into the process.
            var mapped = (await File.ReadAllLinesAsync($"/proc/{app.Id}/maps")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last()).Distinct().ToList();
            Assert.Contains(Path.Combine(Published, "libcoreclr.so"), mapped);
            Assert.DoesNotContain(mapped, m => m.Contains("/dotnet/", StringComparison.Ordinal) && !m.StartsWith(Published, StringComparison.Ordinal));

            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
            var login = await client.GetAsync("/account/login");
            Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
            var page = await login.Content.ReadAsStringAsync();
            Assert.Contains("data-testid=\"login-submit\"", page);
            Assert.DoesNotContain("demo-banner", page);
        }
        finally
        {
            await TestServer.DropDatabaseAsync(cs);
            Directory.Delete(bin, recursive: true);
        }
    }

    /// <summary>
    /// <c>./servicehub.sh publish</c> as the operator runs it. Its output goes to a file, and MSBuild and the compiler are told not to
    /// stay behind as servers: nothing of it outlives the command (a server left running would hold the test run's output open).
    /// </summary>
    private static async Task PublishAsync()
    {
        var log = Path.Combine(Path.GetTempPath(), $"servicehub-publish-{Guid.NewGuid():N}.log");
        var info = new ProcessStartInfo("/bin/bash", ["-c", "exec ./servicehub.sh publish >\"$0\" 2>&1", log]) { WorkingDirectory = Repository.Root, UseShellExecute = false };
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        try
        {
            using var publish = Process.Start(info)!;
            await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
            Assert.True(publish.ExitCode == 0, await File.ReadAllTextAsync(log));
        }
        finally
        {
            File.Delete(log);
        }
    }
}
