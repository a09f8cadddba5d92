using System.Globalization;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using ServiceHub.App.Api;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Integrations;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configuration section <c>Api:RateLimit</c>: calls allowed per key in a sliding window.</summary>
public sealed class ApiRateLimitOptions
{
    public int PermitLimit { get; set; } = 120;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public static class ApiServiceCollectionExtensions
{
    public const string BasePath = "/api/v1";
    public const string DocumentName = "v1";
    public const string DocsPath = "/api/docs";
    public const string RateLimitPolicy = "api-key";
    /// <summary>The largest request body the API reads (every text field has its own, smaller limit).</summary>
    public const int ApiBodyLimit = 64 * 1024;

    /// <summary>The authorisation policy of an API scope: an API key (never the sign-in cookie) that holds the scope.</summary>
    public static string ScopePolicy(string scope) => "api:" + scope;

    /// <summary>
    /// The REST API (issue #13 points 6-7): the API-key scheme, one policy per scope, the per-key rate limit, problem details and the
    /// OpenAPI document (<c>/openapi/v1.json</c>) with its reference page (<c>/api/docs</c>).
    /// </summary>
    public static IServiceCollection AddServiceHubApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in ApiScopes.All)
            authorization.AddPolicy(ScopePolicy(scope), p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, scope));

        var limit = configuration.GetSection("Api:RateLimit").Get<ApiRateLimitOptions>() ?? new();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(RateLimitPolicy, new ApiRateLimitPolicy(limit)));
        services.AddProblemDetails();
        services.AddOpenApi(DocumentName, o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith(BasePath[1..], StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ServiceHub API",
                    Version = DocumentName,
                    Description = "ServiceHub's REST API for integrations: the hotline's telephone system (CTI), portals, reporting. " +
                                  "Every call carries an API key issued by an administrator (header X-Api-Key); each endpoint needs one scope of the key. " +
                                  "Errors are RFC 7807 problem details in the language of Accept-Language (zh-CN by default, en).",
                };
                // The document is the same whichever address serves it (it is checked into the tests).
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = ApiKeyAuthenticationHandler.Header,
                    Description = "shk_… — issued on Administration › API keys, shown once.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// Early in the pipeline, for <c>/api/v1</c> only: the key is checked (so the rate limiter partitions by key), messages take the
    /// language of <c>Accept-Language</c>, errors stay JSON (no status-code page, no error page), and every call is audited with the
    /// key's name once it is answered — a refused key too when its name is known.
    /// </summary>
    public static WebApplication UseServiceHubApi(this WebApplication app)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments(BasePath), api => api.Use(async (http, next) =>
        {
            if (http.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = ApiProblems.CultureOf(http.Request);
            var result = await http.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
            if (result.Succeeded) http.User = result.Principal;
            try
            {
                await next(http);
            }
            catch (Exception ex) when (!http.Response.HasStarted && ex is not OperationCanceledException)
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ServiceHub.Api").LogError(ex, "API call {Path} failed", http.Request.Path);
                await ApiProblems.WriteAsync(http, StatusCodes.Status500InternalServerError, "Api.ServerError");
            }
            finally
            {
                await AuditAsync(http);
            }
        }));
        return app;
    }

    private static async Task AuditAsync(HttpContext http)
    {
        if (http.Items[ApiKeyAuthenticationHandler.CheckItem] is not ApiKeyCheck { KeyName: { } name } check) return;
        var audit = http.RequestServices.GetRequiredService<AuditLog>();
        var path = http.Request.Path.Value ?? "";
        var what = $"{http.Request.Method} {(path.Length > 200 ? path[..200] : path)}";
        var details = check.Identity is null ? $"refused: {check.Refusal}" : $"status={http.Response.StatusCode}";
        await audit.WriteAsync(check.Identity?.UserId, ApiKeyRepository.UserNamePrefix + name,
            check.Identity is null ? AuditLog.Actions.ApiRefused : AuditLog.Actions.ApiCall, "api-key", check.KeyId?.ToString(CultureInfo.InvariantCulture) ?? "",
            $"{what} {details}", http.Connection.RemoteIpAddress?.ToString(), CancellationToken.None);
    }

    /// <summary>The API (each feature's <c>MapXxxApi</c> over one route group), its OpenAPI document and the reference page.</summary>
    public static WebApplication MapServiceHubApi(this WebApplication app)
    {
        var api = app.MapGroup(BasePath)
            .RequireRateLimiting(RateLimitPolicy)
            .AddEndpointFilter(ApiProblems.FilterAsync)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(ApiBodyLimit));
        api.MapContactsApi();
        api.MapComplaintsApi();
        api.MapDepartmentsApi();
        api.MapEmergenciesApi();
        api.MapKpisApi();
        api.MapCustomersApi();
        api.MapCallsApi();

        // The document and the reference: for signed-in staff (the reference's "try it" then takes a key).
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference(DocsPath, (options, http) =>
        {
            var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.ContentSecurityPolicy =
                    $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
                    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
                return Task.CompletedTask;
            });
            options.WithTitle("ServiceHub API").WithOpenApiRoutePattern("/openapi/{documentName}.json").AddDocument(DocumentName)
                .WithNonce(nonce).DisableDefaultFonts().DisableTelemetry().DisableAgent()
                .AddApiKeyAuthentication(ApiKeyAuthenticationHandler.SchemeName, k => k.Name = ApiKeyAuthenticationHandler.Header);
        });
        return app;
    }
}

/// <summary>
/// The per-key rate limit (<c>Api:RateLimit</c>): a sliding window per API key; requests without a valid key share one window (ten times
/// as wide) per client address. Over it: 429 with <c>Retry-After</c> and problem details.
/// </summary>
public sealed class ApiRateLimitPolicy(ApiRateLimitOptions limit) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => async (context, _) =>
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : limit.Window;
        context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Api.RateLimited");
    };

    public RateLimitPartition<string> GetPartition(HttpContext http)
    {
        // Without a valid key the calls of one address share a window ten times as wide (integrations behind one gateway share an
        // address): they all end in 401, but a flood of guesses still stops.
        var (key, permits) = http.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value is { } id
            ? ("key:" + id, limit.PermitLimit)
            : ("ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), limit.PermitLimit * 10);
        return RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits, Window = limit.Window, SegmentsPerWindow = 6, QueueLimit = 0,
        });
    }
}
