using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using ServiceHub.Data.Admin;

namespace ServiceHub.App.Infrastructure;

/// <summary>The app's own endpoints that belong to no feature: sign-out and the language switch (health: <c>Health.cs</c>).</summary>
public static class Endpoints
{
    /// <summary>Sign-out (audited) and the language switch.</summary>
    public static void MapServiceHubAccount(this WebApplication app)
    {
        app.MapPost("/account/logout", async (HttpContext http, AuditLog audit, [FromForm] string? returnUrl) =>
        {
            if (http.User.ToActor(http.Connection.RemoteIpAddress?.ToString()) is { } actor)
                await audit.WriteAsync(actor, AuditLog.Actions.SignOut, "user", actor.Id.ToString(), "", http.RequestAborted);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/account/login");
        }).AllowAnonymous();

        // The language switch: a cookie read by the request-localisation middleware, then back to the page.
        app.MapGet("/culture/set", (HttpContext http, string culture, string? redirectUri) =>
        {
            if (AppServiceCollectionExtensions.SupportedCultures.Any(c => c.Name == culture))
                http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps });
            return Results.LocalRedirect(LocalUrls.OrHome(redirectUri));
        }).AllowAnonymous();
    }
}
