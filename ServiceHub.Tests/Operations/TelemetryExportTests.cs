using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Integrations;
using ServiceHub.Tests.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>
/// Issue #16 point 11 on the real app started as production starts it (a separate process, demo company seeded), with an OTLP/HTTP
/// collector (a stub on a loopback port) and a management port: traces and metrics reach the collector, and <c>/metrics</c> is served
/// on the management port without sign-in and nowhere else.
/// </summary>
[Trait("Category", "faults")]
public sealed class TelemetryExportTests(TelemetryExportTests.App app) : IClassFixture<TelemetryExportTests.App>
{
    [Fact]
    public async Task With_an_otlp_endpoint_the_requests_span_and_the_domain_metrics_reach_the_collector()
    {
        // A contact registered through the API (a complaint: a domain event), in a trace of the caller's.
        var traceId = ActivityTraceId.CreateRandom();
        using var client = new HttpClient { BaseAddress = new Uri(app.PublicUrl) };
        client.DefaultRequestHeaders.Add("X-Api-Key", await app.ApiKeyAsync());
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var created = await client.PostAsJsonAsync("/api/v1/contacts", new { channel = "forum", kind = "complaint", customerId = await app.CustomerAsync(), content = "电梯经常停运" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The request's span: the caller's trace id (16 bytes in the protobuf) beside the route; the metrics: ServiceHub's names.
        var traceIdBytes = Convert.FromHexString(traceId.ToHexString());
        await Eventually.WaitAsync(() => app.Collector.Traces.Any(t => t.AsSpan().IndexOf(traceIdBytes) >= 0 && Contains(t, "/api/v1/contacts")),
            App.Patience, "the request's span at /v1/traces");
        string[] names = ["servicehub.complaints.registered", "servicehub.deadlines.overdue", "servicehub.emergencies.open", "servicehub.outbox.backlog",
            "http.server.request.duration"];
        await Eventually.WaitAsync(() => app.Collector.Metrics.Any(m => names.All(n => Contains(m, n))), App.Patience,
            "ServiceHub's metrics beside ASP.NET Core's at /v1/metrics");
    }

    [Fact]
    public async Task The_management_port_serves_the_metrics_without_sign_in_and_the_public_port_serves_them_to_nobody_not_even_an_admin()
    {
        using var management = new HttpClient { BaseAddress = new Uri(app.ManagementUrl) };
        var scraped = await Eventually.WaitAsync(() => management.GetStringAsync("/metrics"), m => m.Contains("servicehub_complaints_registered"),
            App.Patience, "the domain metrics' first snapshot on the management port");
        foreach (var name in new[] { "servicehub_deadlines_overdue", "servicehub_emergencies_open", "servicehub_outbox_backlog", "http_server_request_duration" })
            Assert.Contains(name, scraped);

        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.PublicUrl) };
        using (var refused = await anonymous.GetAsync("/metrics")) // as any address of the app: sign in first
        {
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
            Assert.Contains("/account/login", refused.Headers.Location?.ToString());
        }
        foreach (var user in new[] { "agent", "admin" })
        {
            using var signedIn = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(app.PublicUrl) };
            Assert.Equal(HttpStatusCode.Redirect, (await AppFactory.PostSignInAsync(signedIn, user, DemoSeeder.DemoPassword)).StatusCode);
            var response = await signedIn.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain("servicehub_complaints_registered", await response.Content.ReadAsStringAsync());
        }
    }

    private static bool Contains(byte[] protobuf, string name) => protobuf.AsSpan().IndexOf(Encoding.UTF8.GetBytes(name)) >= 0;

    /// <summary>
    /// The app as its own process over a copy of the demo database: public and management ports, OTLP/HTTP to <see cref="Collector"/>,
    /// metrics exported every half second and spans every tenth of one.
    /// </summary>
    public sealed class App : IAsyncLifetime
    {
        public static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

        public OtlpCollector Collector { get; } = new();
        public string PublicUrl { get; } = $"http://127.0.0.1:{Loopback.FreePort()}";
        public string ManagementUrl { get; } = $"http://127.0.0.1:{Loopback.FreePort()}";
        private string _cs = "";
        private ChildProcess? _process;

        public async Task InitializeAsync()
        {
            await Collector.StartAsync();
            _cs = await TestServer.CreateDemoDatabaseAsync(nameof(TelemetryExportTests));
            _process = ChildProcess.StartApp(_cs, "sh-telemetry", new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"{PublicUrl};{ManagementUrl}",
                ["Telemetry__Metrics__Port"] = new Uri(ManagementUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Telemetry__Otlp__Endpoint"] = Collector.Url,
                ["Telemetry__Otlp__Protocol"] = "http/protobuf",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["ServiceHub__SeedDemo"] = "true",
                ["ServiceHub__SeedDemoHistory"] = "false",
            });
            using var probe = new HttpClient { BaseAddress = new Uri(PublicUrl) };
            await Eventually.WaitAsync(async () => _process.HasExited || await OkAsync(probe, "/healthz"), up => up, TimeSpan.FromMinutes(2), "the app to start");
            Assert.False(_process.HasExited, _process.Output);
        }

        /// <summary>A key of the contacts scope, issued as the demo administrator (on today's date: the app runs on the real clock).</summary>
        public async Task<string> ApiKeyAsync()
        {
            await using var s = new TestServices(_cs, DateTimeOffset.UtcNow);
            var admin = await EmergencyTestData.ActorAsync(s.Get<NpgsqlDataSource>(), "admin");
            var today = DateOnly.FromDateTime(ServiceHub.Data.Infrastructure.BusinessTime.ToLocal(DateTimeOffset.UtcNow).DateTime);
            var issued = await s.Get<ApiKeyRepository>().IssueAsync(admin, new ApiKeyForm
            {
                Name = $"telemetry {Guid.NewGuid():N}"[..20], Scopes = [ApiScopes.Contacts], Roles = [Roles.Agent], ExpiresOn = today.AddDays(30),
            });
            return issued.Key;
        }

        public async Task<int> CustomerAsync()
        {
            await using var conn = new NpgsqlConnection(_cs);
            return await conn.ExecuteScalarAsync<int>("SELECT id FROM customers WHERE phone ~ '^1[3-9][0-9]{9}$' ORDER BY id LIMIT 1");
        }

        private static async Task<bool> OkAsync(HttpClient client, string path)
        {
            try { return (await client.GetAsync(path)).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }

        public async Task DisposeAsync()
        {
            if (_process is not null) await _process.DisposeAsync();
            await Collector.DisposeAsync();
            if (_cs != "") await TestServer.DropDatabaseAsync(_cs);
        }
    }

    /// <summary>An OTLP/HTTP collector's two doors (<c>/v1/traces</c>, <c>/v1/metrics</c>) on a loopback port: keeps every body it is sent.</summary>
    public sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly ConcurrentQueue<byte[]> _traces = new();
        private readonly ConcurrentQueue<byte[]> _metrics = new();
        private WebApplication? _app;

        public string Url { get; } = $"http://127.0.0.1:{Loopback.FreePort()}";
        public IReadOnlyCollection<byte[]> Traces => _traces;
        public IReadOnlyCollection<byte[]> Metrics => _metrics;

        public async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(Url);
            _app = builder.Build();
            _app.MapPost("/v1/traces", (HttpRequest request) => KeepAsync(request, _traces));
            _app.MapPost("/v1/metrics", (HttpRequest request) => KeepAsync(request, _metrics));
            await _app.StartAsync();
        }

        /// <summary>The body kept; an empty export response (a protobuf message with no fields) returned.</summary>
        private static async Task<IResult> KeepAsync(HttpRequest request, ConcurrentQueue<byte[]> into)
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            into.Enqueue(body.ToArray());
            return Results.Bytes([], "application/x-protobuf");
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null) await _app.DisposeAsync();
        }
    }
}
