using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using ServiceHub.Data.Admin;

namespace ServiceHub.App.Infrastructure;

/// <summary>The app's own endpoints that belong to no feature: health, sign-out, the language switch.</summary>
public static class Endpoints
{
    /// <summary><c>/healthz</c>: whether the database answers (anonymous, for load balancers and monitoring).</summary>
    public static void MapServiceHubHealth(this WebApplication app) =>
        app.MapGet("/healthz", async (NpgsqlDataSource db, CancellationToken ct) =>
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(ct);
                await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
                return Results.Json(new { status = "healthy", database = "reachable" });
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return Results.Json(new { status = "unhealthy", database = "unreachable", error = ex.Message }, statusCode: 503);
            }
        }).AllowAnonymous();

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
                    new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax });
            var target = string.IsNullOrEmpty(redirectUri) || !redirectUri.StartsWith('/') || redirectUri.StartsWith("//") ? "/" : redirectUri;
            return Results.LocalRedirect(target);
        }).AllowAnonymous();
    }
}
