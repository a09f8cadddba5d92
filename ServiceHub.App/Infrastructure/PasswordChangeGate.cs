using Microsoft.AspNetCore.Authorization;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// A person whose password was set by someone else (the first administrator made by <c>admin create</c>) changes it before
/// anything else: every request but the change form, sign-in/out, the Blazor circuit and anonymous endpoints (static files,
/// health) is sent to <see cref="PagePath"/> (GET) or refused with 403. Inside a live circuit the main layout does the same.
/// </summary>
public static class PasswordChangeGate
{
    public const string PagePath = "/account/password";

    private static readonly PathString[] Open = [PagePath, "/account/logout", "/account/login", "/_blazor"];

    public static bool IsOpen(HttpContext http) =>
        Open.Any(p => http.Request.Path.StartsWithSegments(p))
        || http.GetEndpoint() is not { } endpoint
        || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;

    /// <summary>After authentication, before authorisation (so every page answers alike, whatever its policy).</summary>
    public static IApplicationBuilder UsePasswordChangeGate(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.User.MustChangePassword() || IsOpen(http))
        {
            await next(http);
            return;
        }
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            http.Response.Redirect(PagePath);
        else
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            // Not re-executed as the not-found page (a POST there would fail antiforgery and answer 400).
            if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
        }
    });

    /// <summary>Whether a page of the circuit (a path relative to the base URI) is the change form.</summary>
    public static bool IsChangePage(string relativePath) =>
        ("/" + relativePath.Split('?', '#')[0]).TrimEnd('/').Equals(PagePath, StringComparison.OrdinalIgnoreCase);
}
