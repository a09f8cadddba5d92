using Hangfire;
using ServiceHub.App.Accountability;
using ServiceHub.App.Components;
using ServiceHub.App.Infrastructure;
using ServiceHub.App.Reports;
using ServiceHub.Data.Admin;

namespace Microsoft.AspNetCore.Builder;

public static class AppBuilderExtensions
{
    /// <summary>
    /// The request pipeline: transport security, errors, localisation, sign-in rate limits, authentication, the password-change
    /// gate, authorisation, antiforgery.
    /// </summary>
    public static WebApplication UseServiceHub(this WebApplication app, SecuritySettings security)
    {
        app.UseTransportSecurity(security);
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRequestLocalization();
        app.UseServiceHubApi();
        app.UseSignInRateLimiting();
        app.UseAuthentication();
        app.UseUserIdInLogs();
        app.UsePasswordChangeGate();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>Every endpoint: static assets, each feature's endpoints, the job dashboard (admins) and the pages.</summary>
    public static WebApplication MapServiceHub(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapServiceHubHealthChecks();
        app.MapServiceHubMetrics();
        app.MapServiceHubAccount();
        app.MapServiceHubEmergencies();
        app.MapServiceHubApi();
        app.MapPenaltyExport();
        app.MapAnnualReportExport();
        app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Admin, "/hangfire", new DashboardOptions { DashboardTitle = "ServiceHub jobs" });
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
