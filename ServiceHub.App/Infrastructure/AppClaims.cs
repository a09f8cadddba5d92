using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.App.Infrastructure;

/// <summary>The claims of a signed-in user and the <see cref="Actor"/> built from them.</summary>
public static class AppClaims
{
    public const string DisplayName = "sh:display_name";
    public const string DepartmentId = "sh:department_id";
    public const string SecurityStamp = "sh:stamp";
    /// <summary>The server-side session (<c>user_sessions</c>) this cookie belongs to.</summary>
    public const string SessionId = "sh:sid";
    /// <summary>The account may only change its password (<see cref="PasswordChangeGate"/>).</summary>
    public const string PasswordChangeRequired = "sh:pw_change";

    public static ClaimsPrincipal Principal(UserAccount user, Guid sessionId, bool passwordChangeRequired = false)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.UserName),
            new(DisplayName, user.DisplayName),
            new(SecurityStamp, user.SecurityStamp.ToString()),
            new(SessionId, sessionId.ToString()),
        };
        if (passwordChangeRequired) claims.Add(new Claim(PasswordChangeRequired, "true"));
        if (user.DepartmentId is { } d) claims.Add(new Claim(DepartmentId, d.ToString(CultureInfo.InvariantCulture)));
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    public static int? UserId(this ClaimsPrincipal p) =>
        int.TryParse(p.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id) ? id : null;

    public static Guid? Stamp(this ClaimsPrincipal p) => Guid.TryParse(p.FindFirstValue(SecurityStamp), out var g) ? g : null;

    public static Guid? Session(this ClaimsPrincipal p) => Guid.TryParse(p.FindFirstValue(SessionId), out var g) ? g : null;

    public static bool MustChangePassword(this ClaimsPrincipal p) => p.HasClaim(c => c.Type == PasswordChangeRequired);

    public static Actor? ToActor(this ClaimsPrincipal p, string? ip = null)
    {
        if (p.Identity?.IsAuthenticated != true || p.UserId() is not { } id) return null;
        var roles = p.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray();
        int? dept = int.TryParse(p.FindFirstValue(DepartmentId), CultureInfo.InvariantCulture, out var d) ? d : null;
        return new Actor(id, p.Identity.Name ?? "", p.FindFirstValue(DisplayName) ?? "", roles, dept, ip);
    }
}
