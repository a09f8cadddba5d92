using Microsoft.AspNetCore.Authentication;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using ServiceHub.Data.Admin;

namespace ServiceHub.App.Infrastructure;

/// <summary>Configuration section <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>How often a live Blazor session re-checks its account and session (deactivation, sign-out or expiry end it within this time).</summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A session ends this long after sign-in however active it is (<c>Auth:AbsoluteSessionLifetime</c>).</summary>
    public TimeSpan AbsoluteSessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A session unused this long ends (the cookie's sliding expiry, <c>Auth:SlidingSessionLifetime</c>).</summary>
    public TimeSpan SlidingSessionLifetime { get; set; } = TimeSpan.FromHours(10);
}

/// <summary>Whether a principal's session still stands: the same question for every HTTP request and for every live circuit.</summary>
public sealed class SessionCheck(SessionRepository sessions, TimeProvider clock, IOptions<AuthOptions> options)
{
    public async Task<bool> IsValidAsync(ClaimsPrincipal user, CancellationToken ct) =>
        user.UserId() is { } id && user.Stamp() is { } stamp && user.Session() is { } session
        && await sessions.IsValidAsync(id, stamp, session, clock.GetUtcNow(), options.Value.AbsoluteSessionLifetime, ct);

    /// <summary>Sign-out ends the server-side session, so the cookie is refused wherever it is replayed.</summary>
    public async Task EndAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (user.Session() is { } session) await sessions.EndAsync(session, clock.GetUtcNow(), ct);
    }
}

/// <summary>Every HTTP request: a deactivated account, a changed security stamp, or an ended or expired session rejects the cookie.</summary>
public sealed class SessionCookieEvents(SessionCheck check) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        if (context.Principal is null || !await check.IsValidAsync(context.Principal, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    public override async Task SigningOut(CookieSigningOutContext context)
    {
        await check.EndAsync(context.HttpContext.User, context.HttpContext.RequestAborted);
        await base.SigningOut(context);
    }

    /// <summary>Hubs (<c>/hubs/…</c>) answer 401 rather than redirecting a SignalR client to the sign-in page.</summary>
    public override Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (!context.Request.Path.StartsWithSegments("/hubs")) return base.RedirectToLogin(context);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        // No re-execution of the status-code page (a POST to the not-found page would fail antiforgery with 400).
        if (context.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        return Task.CompletedTask;
    }
}

/// <summary>
/// Live Blazor sessions: re-checked every <see cref="AuthOptions.RevalidationInterval"/> by <see cref="SessionCheck"/>; a deactivated
/// user, a signed-out or expired session loses its authentication state (the page sends it to sign in). While the app stops, a
/// circuit keeps its user unchecked: the database's connection pool is being disposed and the circuit is going anyway (otherwise every
/// open circuit logged an error on each restart).
/// </summary>
public sealed class RevalidatingAuthStateProvider(ILoggerFactory loggerFactory, SessionCheck check, IOptions<AuthOptions> options,
    IHostApplicationLifetime lifetime)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        await IsStillValidAsync(authenticationState.User, cancellationToken);

    internal async Task<bool> IsStillValidAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var stopping = lifetime.ApplicationStopping;
        if (stopping.IsCancellationRequested) return true;
        try
        {
            return await check.IsValidAsync(user, ct);
        }
        catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
        {
            return true;
        }
    }
}
