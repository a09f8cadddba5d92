using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using ServiceHub.App.Components.Layout;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Intake;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

/// <summary>
/// The access map is the one rule of who opens what: every page names a policy of it, and the navigation menu shows a role exactly
/// the pages that role may open. The pages come from the app's route table (every routable component and its [Authorize] data), so
/// a new page fails here until it has a rule and either a menu link or a reason to have none.
/// </summary>
public sealed class AccessMapTests
{
    /// <summary>Pages without route parameters that the menu does not link, and why.</summary>
    private static readonly Dictionary<string, string> NotInTheMenu = new()
    {
        ["/account/login"] = "the sign-in form",
        ["/account/denied"] = "where a refused request lands",
        ["/account/password"] = "the account menu in the app bar links it",
        ["/Error"] = "the error page",
        ["/not-found"] = "the not-found page",
        ["/dashboard/drill"] = "opened from a figure on the dashboard",
        ["/emergencies/new"] = "the report button on the emergency list",
    };

    /// <summary>Menu links to endpoints that are not pages, with the policy the endpoint is mapped with.</summary>
    private static readonly Dictionary<string, string> EndpointLinks = new() { ["/hangfire"] = Policies.Admin };

    private static IEnumerable<(string Route, Type Page)> Routes() =>
        from t in typeof(ServiceHub.App.Components.App).Assembly.GetTypes()
        where typeof(IComponent).IsAssignableFrom(t)
        from r in t.GetCustomAttributes<RouteAttribute>()
        select (r.Template, t);

    private static ClaimsPrincipal Person(string role) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, "1"), new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role)], "test"));

    private static ServiceProvider Authorization() => new ServiceCollection().AddLogging().AddServiceHubAuthorization().BuildServiceProvider();

    /// <summary>What the router's AuthorizeRouteView decides for the page: its combined [Authorize] data against the person.</summary>
    private static async Task<bool> MayOpenAsync(IServiceProvider auth, Type page, ClaimsPrincipal person)
    {
        var attributes = page.GetCustomAttributes(inherit: true);
        if (attributes.OfType<IAllowAnonymous>().Any()) return true;
        var policy = await AuthorizationPolicy.CombineAsync(auth.GetRequiredService<IAuthorizationPolicyProvider>(), attributes.OfType<IAuthorizeData>());
        return policy is null || (await auth.GetRequiredService<IAuthorizationService>().AuthorizeAsync(person, policy)).Succeeded;
    }

    private static async Task<SortedSet<string>> MayOpenFromTheMenuAsync(string role)
    {
        await using var auth = Authorization();
        var person = Person(role);
        var open = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (route, page) in Routes().Where(r => !r.Route.Contains('{') && !NotInTheMenu.ContainsKey(r.Route)))
            if (await MayOpenAsync(auth, page, person)) open.Add(route);
        foreach (var (link, policy) in EndpointLinks)
            if ((await auth.GetRequiredService<IAuthorizationService>().AuthorizeAsync(person, policy)).Succeeded) open.Add(link);
        return open;
    }

    /// <summary>The menu as the role sees it, rendered with the app's real policies (not bUnit's stand-in authorisation).</summary>
    private static async Task<SortedSet<string>> MenuLinksAsync(string role)
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("zh-CN");
        await using var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        ctx.Services.AddLogging();
        ctx.Services.AddServiceHubAuthorization();
        // bUnit puts placeholders in front of the framework's services (AddAuthorizationCore only adds what is missing).
        ctx.Services.AddSingleton<IAuthorizationService, DefaultAuthorizationService>();
        ctx.Services.AddSingleton<IAuthorizationPolicyProvider, DefaultAuthorizationPolicyProvider>();
        ctx.Services.AddCascadingAuthenticationState();
        ctx.Services.AddSingleton<AuthenticationStateProvider>(new SignedIn(Person(role)));
        var menu = ctx.Render<NavMenu>();
        return new SortedSet<string>(menu.FindAll("a[href]").Select(a => a.GetAttribute("href")!), StringComparer.Ordinal);
    }

    private sealed class SignedIn(ClaimsPrincipal person) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(person));
    }

    public static TheoryData<string> EveryRole() => [.. Roles.All];

    [Theory]
    [MemberData(nameof(EveryRole))]
    public async Task The_menu_links_exactly_the_pages_the_role_may_open(string role)
    {
        var mayOpen = await MayOpenFromTheMenuAsync(role);
        var menu = await MenuLinksAsync(role);
        Assert.True(mayOpen.SetEquals(menu),
            $"{role}: may open but not in the menu: [{string.Join(", ", mayOpen.Except(menu))}]; in the menu but may not open: [{string.Join(", ", menu.Except(mayOpen))}]");
    }

    [Fact]
    public void Every_page_is_authorised_by_a_policy_of_the_access_map_or_open_to_every_signed_in_user()
    {
        var offenders = Routes()
            .Where(r => !r.Page.GetCustomAttributes(inherit: true).OfType<IAllowAnonymous>().Any())
            .SelectMany(r => r.Page.GetCustomAttributes(inherit: true).OfType<IAuthorizeData>()
                .Where(a => a.Roles is not null || (a.Policy is not null && !Access.ByPolicy.ContainsKey(a.Policy)))
                .Select(a => $"{r.Route}: Roles={a.Roles} Policy={a.Policy}"))
            .ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public async Task Every_policy_requires_exactly_the_roles_of_its_list_in_the_access_map()
    {
        await using var auth = Authorization();
        var provider = auth.GetRequiredService<IAuthorizationPolicyProvider>();
        foreach (var (name, roles) in Access.ByPolicy)
        {
            var requirement = Assert.Single((await provider.GetPolicyAsync(name))!.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>());
            Assert.Equal(roles.Order(), requirement.AllowedRoles.Order());
        }
    }

    /// <summary>
    /// No code of the Data layer outside the access map keeps a role list of its own (a field holding only roles that is not one of
    /// <see cref="Access"/>'s lists), so a role added to a capability reaches every check at once.
    /// </summary>
    [Fact]
    public void No_data_layer_code_outside_the_access_map_keeps_a_role_list_of_its_own()
    {
        var offenders =
            from t in typeof(Access).Assembly.GetTypes()
            where t != typeof(Access) && t != typeof(Roles)
            from f in t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            where !f.IsLiteral && !f.FieldType.ContainsGenericParameters && typeof(IEnumerable<string>).IsAssignableFrom(f.FieldType)
            let value = f.GetValue(null) as IEnumerable<string>
            where value is not null && value.Any() && value.All(Roles.IsKnown) && !IsAccessList(value)
            select $"{t.Name}.{f.Name}";
        Assert.Empty(offenders);
    }

    /// <summary>
    /// Nor does it write one inline: a check of several roles (<c>IsIn(Roles.A, Roles.B)</c>) names an access-map list instead.
    /// (A check of one role, such as "is a department manager", is a fact about the person, not a capability.)
    /// </summary>
    [Fact]
    public void No_data_layer_check_names_several_roles_inline()
    {
        var several = new System.Text.RegularExpressions.Regex(@"IsIn\(\s*\[?\s*Roles\.\w+\s*,");
        var dataLayer = Path.Combine(Repository.Root, "ServiceHub.Data");
        var offenders = Directory.EnumerateFiles(dataLayer, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => several.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Repository.Root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.Empty(offenders);
    }

    /// <summary>The very list object of the access map (a field that only refers to one is fine).</summary>
    private static bool IsAccessList(IEnumerable<string> value) =>
        typeof(Access).GetFields(BindingFlags.Static | BindingFlags.Public).Any(f => ReferenceEquals(f.GetValue(null), value));
}
