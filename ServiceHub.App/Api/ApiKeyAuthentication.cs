using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Integrations;

namespace ServiceHub.App.Api;

/// <summary>
/// The API's authentication: the key in header <c>X-Api-Key</c> (or <c>Authorization: Bearer …</c>), checked by
/// <see cref="ApiKeyRepository.AuthenticateAsync"/>. The principal is the key's integration account with the usual claims (so
/// <see cref="AppClaims.ToActor"/> gives the Data layer its <c>Actor</c>), plus the key's id, name and scopes. A missing or refused key
/// answers 401 with problem details, never a redirect to the sign-in page; a key without the endpoint's scope answers 403.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyRepository keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string ScopeClaim = "sh:scope";
    public const string KeyIdClaim = "sh:api_key_id";
    public const string KeyNameClaim = "sh:api_key_name";
    /// <summary><see cref="HttpContext.Items"/> key of the <see cref="ApiKeyCheck"/> of this request (for the audit log).</summary>
    public const string CheckItem = "sh:api_key_check";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Presented(Request);
        if (presented is null) return AuthenticateResult.NoResult();
        var check = await keys.AuthenticateAsync(presented.Length > ApiKeyRules.PresentedMax ? null : presented, Context.RequestAborted);
        Context.Items[CheckItem] = check;
        if (check.Identity is not { } id) return AuthenticateResult.Fail("API key refused");
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, id.UserId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, id.UserName),
            new(AppClaims.DisplayName, id.Name),
            new(KeyIdClaim, id.KeyId.ToString(CultureInfo.InvariantCulture)),
            new(KeyNameClaim, id.Name),
        };
        if (id.DepartmentId is { } d) claims.Add(new Claim(AppClaims.DepartmentId, d.ToString(CultureInfo.InvariantCulture)));
        claims.AddRange(id.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(id.Scopes.Select(s => new Claim(ScopeClaim, s)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(Header, out var key) && key.Count == 1) return key[0]?.Trim();
        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{Header}\"";
        return ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Api.Unauthorized");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Api.ScopeMissing");
}
