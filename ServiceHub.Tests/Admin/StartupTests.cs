using ServiceHub.Tests.Operations;

namespace ServiceHub.Tests.Admin;

public sealed class StartupTests
{
    /// <summary>Starts the built app as a process with <paramref name="environment"/> and waits for it to stop; its exit code and stderr lines.</summary>
    public static async Task<(int ExitCode, string[] ErrorLines)> RunAppAsync(IDictionary<string, string> environment)
    {
        var (exitCode, stderr) = await AppProcess.StartAsync(environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value));
        return (exitCode, stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_one_clear_line_and_a_non_zero_exit()
    {
        // A production start with every required setting, whose database cannot be reached.
        var environment = AppProcess.ProductionEnvironment();
        environment["ConnectionStrings__ServiceHub"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=nobody;Timeout=2";
        var (exitCode, stderr) = await AppProcess.StartAsync(environment);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("cannot reach its database", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task An_unknown_OTLP_protocol_stops_start_up_with_one_clear_line_before_the_database_is_tried()
    {
        // The database cannot be reached either: the setting is checked first, so its line is the only one.
        var environment = AppProcess.ProductionEnvironment();
        environment["ConnectionStrings__ServiceHub"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=nobody;Timeout=2";
        environment["Telemetry__Otlp__Endpoint"] = "http://127.0.0.1:4318";
        environment["Telemetry__Otlp__Protocol"] = "http/json";
        var (exitCode, stderr) = await AppProcess.StartAsync(environment);
        Assert.Equal(2, exitCode);
        Assert.Equal("ServiceHub: Telemetry:Otlp:Protocol is 'http/json': use grpc (the default) or http/protobuf.",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
