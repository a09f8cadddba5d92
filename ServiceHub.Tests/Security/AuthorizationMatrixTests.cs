using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Security;

/// <summary>
/// The authorisation matrix (issue #12, "Done means"): every routable page and endpoint of the running app — taken from its own
/// endpoint table, so a new page or endpoint without a rule here fails — × every role and the anonymous visitor → allowed or refused,
/// decided by the app's own policies (fallback included), and checked over HTTP for the anonymous visitor.
/// </summary>
public sealed class AuthorizationMatrixTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Anonymous = "anonymous";
    private const string SignedIn = "signed-in";

    /// <summary>Who may open each route: a policy of the access map (its roles), every signed-in user, or anyone.</summary>
    private static readonly Dictionary<string, string> Rules = new()
    {
        ["/account/login"] = Anonymous,
        ["/account/denied"] = SignedIn,
        ["/account/logout"] = Anonymous,
        ["/culture/set"] = Anonymous,
        ["/healthz"] = Anonymous,
        ["/Error"] = Anonymous,
        ["/not-found"] = Anonymous,
        ["/account/password"] = SignedIn,
        ["/"] = SignedIn,
        ["/customers"] = SignedIn,
        // Pages every signed-in user opens; the Data layer decides what each sees (DataReadAccessTests).
        ["/complaints/{Id:long}"] = SignedIn,
        ["/counting/complaints/{Id:long}"] = SignedIn,
        ["/counting/standard-replies"] = SignedIn,
        ["/documents"] = SignedIn,
        ["/information"] = SignedIn,
        ["/information/releases"] = SignedIn,
        ["/my/handovers"] = SignedIn,
        ["/my/penalties"] = SignedIn,
        ["/hubs/alerts"] = SignedIn,
        ["/hubs/alerts/negotiate"] = SignedIn,
        // Authorised by role strings equal to these lists (AccessMapTests.NotYetOnThePolicies).
        ["/complaints"] = Policies.Complaints,
        ["/complaints/queue"] = Policies.Queue,
        ["/penalties/export"] = Policies.Penalties,
        ["/reports/annual/{year:int}/{version:int}/pdf"] = Policies.AnnualReports,
        ["/reports/annual/{year:int}/{version:int}/excel"] = Policies.AnnualReports,
    };

    /// <summary>Framework plumbing the pages need (the circuit, scripts, styles): not pages, each for its reason.</summary>
    private static bool IsPlumbing(string route) =>
        route.StartsWith("/_blazor", StringComparison.Ordinal) || route.StartsWith("/_framework", StringComparison.Ordinal)
        || route.StartsWith("/_content", StringComparison.Ordinal) || route == "/{**path:file}"
        || route.Contains('.', StringComparison.Ordinal) && !route.Contains('{', StringComparison.Ordinal);

    private static ClaimsPrincipal Person(string role) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, "999999"), new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role)], "test"));

    private IEnumerable<(string Route, Endpoint Endpoint)> Endpoints() =>
        from e in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        let route = "/" + (e.RoutePattern.RawText ?? "").TrimStart('/')
        where !IsPlumbing(route)
        select (route, (Endpoint)e);

    private async Task<bool> AllowsAsync(Endpoint endpoint, ClaimsPrincipal person)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) return true;
        var provider = app.Services.GetRequiredService<IAuthorizationPolicyProvider>();
        var policy = await AuthorizationPolicy.CombineAsync(provider, endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(),
            endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>()) ?? await provider.GetFallbackPolicyAsync();
        if (policy is null) return true;
        return (await app.Services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(person, endpoint, policy)).Succeeded;
    }

    /// <summary>The roles a rule lets in (those of a department's on-site staff who register contacts are checked in OnSitePageAccessTests).</summary>
    private static bool Expected(string rule, string? role) => rule switch
    {
        Anonymous => true,
        SignedIn => role is not null,
        Policies.Intake => role is not null && Access.Intake.Contains(role),
        _ => role is not null && Access.ByPolicy[rule].Contains(role),
    };

    /// <summary>A page's rule is its policy, or the rule above.</summary>
    private static string? RuleOf(string route, Endpoint endpoint)
    {
        if (Rules.TryGetValue(route, out var rule)) return rule;
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Where(p => p is not null).Distinct().ToList();
        var roles = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Where(a => a.Roles is not null).ToList();
        return policies.Count == 1 && roles.Count == 0 && Access.ByPolicy.ContainsKey(policies[0]!) ? policies[0] : null;
    }

    [Fact]
    public void Every_page_and_endpoint_has_a_rule()
    {
        var without = Endpoints().Where(e => RuleOf(e.Route, e.Endpoint) is null).Select(e => e.Route).Distinct().Order().ToList();
        Assert.True(without.Count == 0, "Routes without a rule in the authorisation matrix (a policy of the access map, or a row in Rules):\n" + string.Join("\n", without));
        var stale = Rules.Keys.Where(r => !Endpoints().Any(e => e.Route == r)).ToList();
        Assert.True(stale.Count == 0, "Rules for routes that do not exist: " + string.Join(", ", stale));
    }

    [Fact]
    public async Task Every_role_and_the_anonymous_visitor_are_allowed_or_refused_as_the_rules_say()
    {
        var wrong = new List<string>();
        foreach (var (route, endpoint) in Endpoints())
        {
            if (RuleOf(route, endpoint) is not { } rule) continue;
            foreach (var role in Roles.All.Append(null))
            {
                var person = role is null ? new ClaimsPrincipal(new ClaimsIdentity()) : Person(role);
                var allowed = await AllowsAsync(endpoint, person);
                if (allowed != Expected(rule, role)) wrong.Add($"{route} × {role ?? Anonymous}: {(allowed ? "allowed" : "refused")}, rule {rule}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Over_http_the_anonymous_visitor_opens_only_the_open_routes()
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var wrong = new List<string>();
        foreach (var (route, endpoint) in Endpoints().Where(e => !e.Route.Contains('{')).DistinctBy(e => e.Route))
        {
            if (endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is { } m && !m.HttpMethods.Contains("GET")) continue;
            var rule = RuleOf(route, endpoint);
            var response = await client.GetAsync(route);
            var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.ToString().Contains("/account/login", StringComparison.Ordinal) == true);
            if (refused == (rule == Anonymous)) wrong.Add($"{route}: {(int)response.StatusCode} {response.Headers.Location}, rule {rule}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
