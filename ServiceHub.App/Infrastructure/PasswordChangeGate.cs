using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using ServiceHub.App.Components.Pages.Account;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// A session that must change its password first (<see cref="AppClaims.PasswordChangeRequired"/>: a shared departmental credential
/// flagged for rotation after a leaver) reaches the change-password page and nothing else: over HTTP here, inside a live circuit
/// through <see cref="Blocks"/> in the router.
/// </summary>
public static class PasswordChangeGate
{
    public const string PagePath = "/account/password";

    public static IApplicationBuilder UsePasswordChangeGate(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!context.User.MustChangePassword() || IsAllowed(context))
            {
                await next(context);
                return;
            }
            if (HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.Redirect(PagePath);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        });

    /// <summary>The page itself, its circuit, and what anyone may open (sign-in, sign-out, static files, language, health).</summary>
    private static bool IsAllowed(HttpContext context) =>
        context.Request.Path.StartsWithSegments(PagePath) || context.Request.Path.StartsWithSegments("/_blazor")
        || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;

    /// <summary>Inside a live circuit: whether the router must send this user to the change-password page instead of <paramref name="pageType"/>.</summary>
    public static bool Blocks(ClaimsPrincipal user, Type pageType) => user.MustChangePassword() && pageType != typeof(ChangePassword);
}
