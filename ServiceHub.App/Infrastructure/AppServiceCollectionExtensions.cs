using System.Globalization;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Microsoft.AspNetCore.Localization;
using MudBlazor;
using MudBlazor.Services;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;

namespace Microsoft.Extensions.DependencyInjection;

public static class AppServiceCollectionExtensions
{
    public static readonly CultureInfo[] SupportedCultures = [new("zh-CN"), new("en")];

    /// <summary>Blazor, MudBlazor, sign-in, authorisation policies and localisation.</summary>
    public static IServiceCollection AddServiceHubApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Chinese as text, not as &#x…; entities, in server-rendered HTML.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddMudServices(c =>
        {
            c.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            c.SnackbarConfiguration.PreventDuplicates = false;
        });
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.AddTransient<MudLocalizer, AppMudLocalizer>();
        // The PDFs' Chinese face: a TrueType font file to use instead of the installed candidates (ServiceHub.App.Reports.CjkFontResolver).
        if (configuration["ServiceHub:PdfFont"] is { Length: > 0 } pdfFont) ServiceHub.App.Reports.CjkFontResolver.Path = pdfFont;
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = SupportedCultures;
            o.SupportedUICultures = SupportedCultures;
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });

        var security = SecuritySettings.Read(configuration);
        var dataProtection = services.AddDataProtection().SetApplicationName("ServiceHub");
        if (security.KeyCertificate() is { } keyCertificate) dataProtection.ProtectKeysWithCertificate(keyCertificate);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>())));

        services.Configure<AuthOptions>(configuration.GetSection("Auth"));
        var auth = configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        var secureCookies = security.IsHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        services.AddSingleton<SessionCheck>();
        services.AddScoped<SessionCookieEvents>();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "servicehub.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = secureCookies;
                o.LoginPath = "/account/login";
                o.LogoutPath = "/account/logout";
                o.AccessDeniedPath = "/account/denied";
                o.ExpireTimeSpan = auth.SlidingSessionLifetime; // and at most Auth:AbsoluteSessionLifetime after sign-in (SessionCheck)
                o.SlidingExpiration = true;
                o.EventsType = typeof(SessionCookieEvents);
            });
        services.AddServiceHubAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthStateProvider>();
        services.AddScoped<CurrentUser>();
        services.AddScoped<ActionRunner>();
        services.AddSingleton<ServiceHub.App.Components.Shared.CountdownClock>();
        services.AddSingleton<NotificationFeed>();
        services.AddHostedService<NotificationListener>();
        services.AddHttpContextAccessor();
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = secureCookies);
        services.AddSignInRateLimiting(configuration);
        services.AddServiceHubApi(configuration);
        services.AddTransportSecurity(security);
        services.AddServiceHubHealthChecks();
        services.AddServiceHubEmergencyApp();
        services.Replace(ServiceDescriptor.Singleton<ServiceHub.Data.Notifications.INotificationText, ServiceHub.App.Notifications.LocalizedNotificationText>());
        return services;
    }
}
