using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using ServiceHub.App.Components.Pages.Account;

namespace ServiceHub.App.Infrastructure;

/// <summary>Configuration section <c>SignIn:RateLimit</c>: sign-in attempts allowed per client address and per account name.</summary>
public sealed class SignInRateLimitOptions
{
    public SignInLimit PerIp { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(1) };
    public SignInLimit PerAccount { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(5) };
}

/// <summary><see cref="PermitLimit"/> attempts in any <see cref="Window"/> (a sliding window).</summary>
public sealed class SignInLimit
{
    public int PermitLimit { get; set; }
    public TimeSpan Window { get; set; }
}

/// <summary>
/// ASP.NET Core's rate limiter on the sign-in POST, by client address (after <see cref="ReverseProxy"/>, so the real client's)
/// and by the account name typed: over either limit the answer is HTTP 429 with a localised page, and the password is not checked.
/// </summary>
public static class SignInRateLimiting
{
    public const string SignInPath = "/account/login";
    /// <summary>The sign-in form's user-name field (Blazor's form mapping of <c>Input.UserName</c> in <c>Login.razor</c>).</summary>
    public const string UserNameField = "Input.UserName";

    public static IServiceCollection AddSignInRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection("SignIn:RateLimit").Get<SignInRateLimitOptions>() ?? new();
        return services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(c =>
                    IsSignIn(c) ? Partition("ip:" + (c.Connection.RemoteIpAddress?.ToString() ?? "unknown"), limits.PerIp) : NoLimit),
                PartitionedRateLimiter.Create<HttpContext, string>(c =>
                    IsSignIn(c) ? Partition("account:" + AccountOf(c), limits.PerAccount) : NoLimit));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
        });
    }

    /// <summary>The form is read before the limiter (whose partitioner is synchronous) so it can see the account name; the page reads the same form.</summary>
    public static IApplicationBuilder UseSignInRateLimiting(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (IsSignIn(context) && context.Request.HasFormContentType) await context.Request.ReadFormAsync(context.RequestAborted);
            await next(context);
        }).UseRateLimiter();

    private static readonly RateLimitPartition<string> NoLimit = RateLimitPartition.GetNoLimiter("");

    private static bool IsSignIn(HttpContext c) =>
        HttpMethods.IsPost(c.Request.Method) && c.Request.Path.Equals(SignInPath, StringComparison.OrdinalIgnoreCase);

    private static string AccountOf(HttpContext c)
    {
        var name = c.Request.HasFormContentType ? c.Request.Form[UserNameField].ToString().Trim().ToLowerInvariant() : "";
        return name.Length > 100 ? name[..100] : name;
    }

    private static RateLimitPartition<string> Partition(string key, SignInLimit limit) =>
        RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        });

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromMinutes(1);
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInRateLimiting))
            .LogWarning("Sign-in rate limit reached from {Ip} for account {Account}", http.Connection.RemoteIpAddress, AccountOf(http));
        var minutes = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMinutes));
        await new RazorComponentResult<SignInRateLimited>(new { RetryAfterMinutes = minutes }) { StatusCode = StatusCodes.Status429TooManyRequests }
            .ExecuteAsync(http);
    }
}
