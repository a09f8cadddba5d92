using Microsoft.AspNetCore.Authentication;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using ServiceHub.Data.Admin;

namespace ServiceHub.App.Infrastructure;

public sealed class AuthOptions
{
    /// <summary>How often a live Blazor session re-checks that its account is still active (deactivation ends it within this time).</summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Every HTTP request: a deactivated account or a changed security stamp rejects the cookie.</summary>
public sealed class SessionCookieEvents(UserRepository users) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var p = context.Principal;
        if (p?.UserId() is not { } id || p.Stamp() is not { } stamp || !await users.IsSessionValidAsync(id, stamp, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
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

/// <summary>Live Blazor sessions: re-checked every <see cref="AuthOptions.RevalidationInterval"/>; a deactivated user is signed out.</summary>
public sealed class RevalidatingAuthStateProvider(ILoggerFactory loggerFactory, UserRepository users, IOptions<AuthOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        await IsStillValidAsync(authenticationState.User, cancellationToken);

    internal async Task<bool> IsStillValidAsync(ClaimsPrincipal user, CancellationToken ct) =>
        user.UserId() is { } id && user.Stamp() is { } stamp && await users.IsSessionValidAsync(id, stamp, ct);
}
