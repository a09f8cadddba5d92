using System.Text.Json;

namespace ServiceHub.Tests.Operations;

/// <summary>
/// The app's runtime settings for the garbage collector (issue #14 point 6, docs/benchmarks.md "Fourth session"): the server GC with
/// DATAS, whose young generation outlives a circuit's page state, instead of the workstation GC that promoted that state into gen1
/// and gen2 at every other collection. The runtime reads them from the app's runtimeconfig.json (the one `dotnet ServiceHub.App.dll`
/// and the published executable use), so an operator sets nothing.
/// </summary>
public sealed class GarbageCollectorSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "ServiceHub.App.runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void The_app_runs_with_the_server_GC_and_dynamic_adaptation_to_its_size()
    {
        var properties = ConfigProperties();
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(1, properties.GetProperty("System.GC.DynamicAdaptationMode").GetInt32());
    }
}
