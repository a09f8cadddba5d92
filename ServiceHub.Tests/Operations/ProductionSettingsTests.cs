using Microsoft.Extensions.Configuration;
using ServiceHub.App.Operations;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

public sealed class ProductionSettingsTests
{
    private static IConfiguration Config(IDictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static Dictionary<string, string?> Complete() => new(ProductionConfiguration.Settings(Path.GetTempPath()))
    {
        ["ConnectionStrings:ServiceHub"] = "Host=db;Database=servicehub;Username=servicehub",
    };

    [Fact]
    public void A_complete_production_configuration_has_no_problem()
    {
        Assert.Empty(ProductionSettings.Problems(Config(Complete()), "Production"));
    }

    [Fact]
    public void Production_without_settings_names_every_missing_one_as_an_environment_variable_and_a_key()
    {
        var problems = ProductionSettings.Problems(Config(new Dictionary<string, string?>()), "Production");
        Assert.Equal(ProductionSettings.Required.Count, problems.Count);
        foreach (var name in new[] { "ConnectionStrings__ServiceHub", "ServiceHub__PublicUrl", "Backups__Directory" })
            Assert.Contains(problems, p => p.StartsWith(name, StringComparison.Ordinal) && p.Contains(name.Replace("__", ":"), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ServiceHub:PublicUrl", "servicehub.example.com", "not an absolute http(s) address")]
    public void An_unusable_setting_is_named(string key, string value, string message)
    {
        var values = Complete();
        values[key] = value;
        var problem = Assert.Single(ProductionSettings.Problems(Config(values), "Production"));
        Assert.Contains(key.Replace(":", "__"), problem);
        Assert.Contains(message, problem);
    }

    [Fact]
    public void The_demo_and_development_need_none_of_them()
    {
        Assert.Empty(ProductionSettings.Problems(Config(new Dictionary<string, string?> { ["ServiceHub:SeedDemo"] = "true" }), "Production"));
        Assert.Empty(ProductionSettings.Problems(Config(new Dictionary<string, string?>()), "Development"));
    }

    [Fact]
    public async Task The_app_refuses_to_start_in_production_without_a_required_setting_and_names_it()
    {
        var environment = AppProcess.ProductionEnvironment();
        environment["ServiceHub__PublicUrl"] = null;
        environment["ConnectionStrings__ServiceHub"] = TestServer.ServerConnectionString;
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var (exitCode, stderr) = await AppProcess.StartAsync(environment);
        Assert.Equal(2, exitCode);
        Assert.Contains("ServiceHub__PublicUrl (ServiceHub:PublicUrl) is not set", stderr);
        Assert.DoesNotContain("Backups__Directory", stderr);
    }
}
