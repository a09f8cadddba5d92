using ServiceHub.Tests.Operations;

namespace ServiceHub.Tests.Admin;

public sealed class StartupTests
{
    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_one_clear_line_and_a_non_zero_exit()
    {
        // A production start with every required setting, whose database cannot be reached.
        var environment = AppProcess.ProductionEnvironment();
        environment["ConnectionStrings__ServiceHub"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=nobody;Timeout=2";
        var (exitCode, stderr) = await AppProcess.StartAsync(environment);
        Assert.NotEqual(0, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("cannot reach its database", lines[0]);
    }
}
