using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Telemetry (issue #16 points 11, 12). Metrics — ASP.NET Core, HttpClient, Npgsql and ServiceHub's own (<see cref="DomainMetrics"/>)
/// — on a Prometheus scrape endpoint (<c>/metrics</c>: administrators only, or without sign-in on the management port
/// <c>Telemetry:Metrics:Port</c> alone); traces and metrics also exported by OTLP when <c>Telemetry:Otlp:Endpoint</c> is set (gRPC, or OTLP/HTTP with
/// <c>Telemetry:Otlp:Protocol</c> <c>http/protobuf</c>; the metrics every <c>OTEL_METRIC_EXPORT_INTERVAL</c> ms, 60 s unless set). Logs:
/// JSON on the console in Production (<see cref="RedactingJsonFormatter"/>: one object a line, the trace id and the signed-in
/// user's id in its scopes, phone and ID numbers masked).
/// </summary>
public static class Telemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>Whether OTLP goes over HTTP (<c>http/protobuf</c>) rather than gRPC (unset or <c>grpc</c>); null for any other value.</summary>
    private static bool? OtlpOverHttp(IConfiguration configuration) => configuration["Telemetry:Otlp:Protocol"] switch
    {
        null or "" or "grpc" => false,
        "http/protobuf" => true,
        _ => null,
    };

    /// <summary>The one line start-up prints and stops on when a telemetry setting cannot be used; null when they can.</summary>
    public static string? InvalidSetting(IConfiguration configuration) => OtlpOverHttp(configuration) is null
        ? $"Telemetry:Otlp:Protocol is '{configuration["Telemetry:Otlp:Protocol"]}': use grpc (the default) or http/protobuf."
        : null;

    public static WebApplicationBuilder AddServiceHubTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = configuration["Telemetry:Otlp:Endpoint"];
        var otlpHttp = OtlpOverHttp(configuration) ?? throw new InvalidOperationException(InvalidSetting(configuration));
        // OTLP/HTTP takes the endpoint as the collector's base address and posts each signal to its own path (as the OTel SDKs do with
        // OTEL_EXPORTER_OTLP_ENDPOINT); an endpoint set in code would be used as it is, for traces and metrics alike.
        void Otlp(OpenTelemetry.Exporter.OtlpExporterOptions o, string signal)
        {
            o.Protocol = otlpHttp ? OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf : OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;
            o.Endpoint = otlpHttp ? new Uri($"{otlp!.TrimEnd('/')}/v1/{signal}") : new Uri(otlp!);
        }
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["Telemetry:ServiceName"] is { Length: > 0 } name ? name : "servicehub"))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsqlInstrumentation().AddMeter(DomainMetrics.MeterName);
                m.AddPrometheusExporter();
                if (!string.IsNullOrWhiteSpace(otlp)) m.AddOtlpExporter(o => Otlp(o, "metrics"));
            });
        if (!string.IsNullOrWhiteSpace(otlp))
            otel.WithTracing(t => t.AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation().AddNpgsql().AddOtlpExporter(o => Otlp(o, "traces")));
        builder.Services.AddHostedService<DomainMetricsRefresher>();

        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (builder.Environment.IsProduction() && configuration["Logging:Console:FormatterName"] is null or "" or "json")
            builder.Logging.AddConsole(o => o.FormatterName = RedactingJsonFormatter.Name)
                .AddConsoleFormatter<RedactingJsonFormatter, Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>(o =>
                {
                    o.IncludeScopes = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                    o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
                });
        return builder;
    }

    /// <summary>Every request's logs carry the signed-in user's id (never a name, phone or ID number) as <c>UserId</c>.</summary>
    public static IApplicationBuilder UseUserIdInLogs(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.User.UserId() is not { } id) { await next(); return; }
            var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ServiceHub.Request");
            using (log.BeginScope(new Dictionary<string, object> { ["UserId"] = id }))
                await next();
        });

    /// <summary><c>/metrics</c>: on the management port only (no sign-in) when one is configured, else for administrators.</summary>
    public static void MapServiceHubMetrics(this WebApplication app)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (app.Configuration.GetValue<int?>("Telemetry:Metrics:Port") is { } port) endpoint.RequireHost($"*:{port}").AllowAnonymous();
        else endpoint.RequireAuthorization(Policies.Admin);
    }
}

/// <summary>Refreshes the domain metrics' snapshot at start and then every <see cref="DomainMetrics.RefreshEvery"/>.</summary>
public sealed class DomainMetricsRefresher(DomainMetrics metrics, ILogger<DomainMetricsRefresher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(DomainMetrics.RefreshEvery);
        do
        {
            try { await metrics.RefreshAsync(stoppingToken); }
            catch (Exception ex) when (ex is not OperationCanceledException) { log.LogWarning(ex, "Domain metrics could not be read"); }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
