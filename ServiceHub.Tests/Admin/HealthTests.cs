using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using ServiceHub.App.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

/// <summary>The app whose health check looks at a database server that does not answer (127.0.0.1, port 1).</summary>
public sealed class UnreachableDatabaseAppFactory : ServiceHub.Tests.Operations.ProductionAppFactory
{
    public const string Unreachable = "Host=127.0.0.1;Port=1;Database=nowhere;Username=nobody;Timeout=2";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var unreachable = NpgsqlDataSource.Create(Unreachable);
        builder.ConfigureTestServices(s => s.Configure<HealthCheckServiceOptions>(o =>
        {
            o.Registrations.Clear();
            o.Registrations.Add(new HealthCheckRegistration("database", _ => new DatabaseHealthCheck(unreachable), null, null));
        }));
    }
}

public sealed class HealthTests(UnreachableDatabaseAppFactory app) : IClassFixture<UnreachableDatabaseAppFactory>
{
    [Fact]
    public async Task An_unreachable_database_is_unhealthy_and_the_answer_names_no_host_port_or_error()
    {
        var response = await app.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("""{"status":"unhealthy"}""", body);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }
}
