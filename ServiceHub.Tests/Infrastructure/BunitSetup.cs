using System.Globalization;
using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using MudBlazor;
using MudBlazor.Services;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The one bUnit set-up: MudBlazor services, loose JS interop, the app's real resources, the <see cref="ActionRunner"/>, culture zh-CN unless asked, and a clock
/// running from <see cref="TestClock.Start"/> unless the test gives its own.
/// </summary>
public static class BunitSetup
{
    public static BunitContext Create(string culture = "zh-CN", Action<IServiceCollection>? services = null, Action<BunitAuthorizationContext>? auth = null)
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
        // WaitFor* returns as soon as the condition holds; the ceiling is for a loaded 2-core CI box (bUnit's default is 1 s).
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        ctx.Services.AddTransient<MudLocalizer, AppMudLocalizer>();
        ctx.Services.AddSingleton<TimeProvider>(new RunningClock());
        ctx.Services.AddScoped<ActionRunner>(); // as the app registers it; it needs the CurrentUser that AddData registers
        ctx.Services.AddSingleton<ServiceHub.App.Components.Shared.CountdownClock>(); // on the TimeProvider the test registers last
        services?.Invoke(ctx.Services);
        var authorization = ctx.AddAuthorization();
        auth?.Invoke(authorization);
        // Interactive server rendering, as in the app (the layout renders its "interactive" marker).
        ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return ctx;
    }

    /// <summary>
    /// The Data services over a test database as the app composes them, the current user of the page, the test's clock
    /// (otherwise the context's running one) and the app's settings a test gives (otherwise the defaults).
    /// </summary>
    public static IServiceCollection AddData(this IServiceCollection services, string connectionString, TimeProvider? clock = null,
        IDictionary<string, string?>? settings = null)
    {
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
        services.AddServiceHubData(connectionString);
        if (clock is not null) services.AddSingleton(clock);
        services.AddScoped<CurrentUser>();
        return services;
    }

    /// <summary>Signed in as <paramref name="who"/>: the roles, and the claims the app's sign-in writes (id, display name, department).</summary>
    public static BunitAuthorizationContext SignedInAs(this BunitAuthorizationContext auth, Actor who)
    {
        auth.SetAuthorized(who.UserName).SetRoles([.. who.Roles]);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, who.Id.ToString(CultureInfo.InvariantCulture)),
            new(AppClaims.DisplayName, who.DisplayName),
        };
        if (who.DepartmentId is { } d) claims.Add(new Claim(AppClaims.DepartmentId, d.ToString(CultureInfo.InvariantCulture)));
        auth.SetClaims([.. claims]);
        return auth;
    }
}
