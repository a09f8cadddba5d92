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
    /// <summary>Present while the password set by an administrator or the command line is unchanged: every page but the change form is closed.</summary>
    public const string PasswordChangeRequired = "sh:pw_change";

    public static ClaimsPrincipal Principal(UserAccount user)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.UserName),
            new(DisplayName, user.DisplayName),
            new(SecurityStamp, user.SecurityStamp.ToString()),
        };
        if (user.DepartmentId is { } d) claims.Add(new Claim(DepartmentId, d.ToString(CultureInfo.InvariantCulture)));
        if (user.MustChangePassword) claims.Add(new Claim(PasswordChangeRequired, "true"));
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    public static int? UserId(this ClaimsPrincipal p) =>
        int.TryParse(p.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id) ? id : null;

    public static bool MustChangePassword(this ClaimsPrincipal p) => p.HasClaim(c => c.Type == PasswordChangeRequired);

    public static Guid? Stamp(this ClaimsPrincipal p) => Guid.TryParse(p.FindFirstValue(SecurityStamp), out var g) ? g : null;

    public static Actor? ToActor(this ClaimsPrincipal p, string? ip = null)
    {
        if (p.Identity?.IsAuthenticated != true || p.UserId() is not { } id) return null;
        var roles = p.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray();
        int? dept = int.TryParse(p.FindFirstValue(DepartmentId), CultureInfo.InvariantCulture, out var d) ? d : null;
        return new Actor(id, p.Identity.Name ?? "", p.FindFirstValue(DisplayName) ?? "", roles, dept, ip);
    }
}
