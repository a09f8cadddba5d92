using System.Globalization;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using ServiceHub.App.Infrastructure;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>The one bUnit set-up: MudBlazor services, loose JS interop, the app's real resources, culture zh-CN unless asked.</summary>
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
        ctx.Services.AddSingleton(TimeProvider.System);
        services?.Invoke(ctx.Services);
        var authorization = ctx.AddAuthorization();
        auth?.Invoke(authorization);
        // Interactive server rendering, as in the app (the layout renders its "interactive" marker).
        ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return ctx;
    }
}
