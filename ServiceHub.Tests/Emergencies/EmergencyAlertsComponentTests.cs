using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using Npgsql;
using ServiceHub.App;
using ServiceHub.App.Components.Pages.Emergencies;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;

namespace ServiceHub.Tests.Emergencies;

/// <summary>The alert banner of the layout: each alert id once, whether it comes live, on catch-up, or both.</summary>
public sealed class EmergencyAlertsComponentTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        _ctx.Services.AddSingleton<TimeProvider>(_clock);
        _ctx.Services.AddSingleton<ServiceHub.App.Components.Shared.CountdownClock>();
        _ctx.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        _ctx.Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        // Never opened: the test does not acknowledge through the database.
        _ctx.Services.AddSingleton(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1"));
        _ctx.Services.AddSingleton<AuditLog>();
        _ctx.Services.AddSingleton<IEmergencyNotifier, NoEmergencyNotifier>();
        _ctx.Services.AddSingleton<IEmergencyScheduler, NoEmergencyScheduler>();
        _ctx.Services.AddSingleton<EmergencyRepository>();
        _ctx.Services.AddScoped<CurrentUser>();
        var auth = _ctx.AddAuthorization();
        auth.SetAuthorized("pmmanager");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "9"));
        _ctx.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    private ScreenAlert Alert(long id, string reason = AlertReasons.Raised) => new(
        id, reason, 7, EmergencyKinds.FireExplosion, null, "翠湖苑", "3号楼", "地下车库", "配电间起火", "物业公司", "Property Company",
        _clock.GetUtcNow().AddMinutes(-5), _clock.GetUtcNow(), _clock.GetUtcNow().AddHours(2), _clock.GetUtcNow());

    [Fact]
    public async Task An_alert_delivered_live_and_again_on_catch_up_shows_once_and_a_repeat_does_not_beep()
    {
        var cut = _ctx.Render<EmergencyAlerts>();
        Assert.True(await cut.InvokeAsync(() => cut.Instance.OnAlert(Alert(1))));
        Assert.False(await cut.InvokeAsync(() => cut.Instance.OnAlert(Alert(1)))); // the same alert, caught up on reconnecting
        Assert.True(await cut.InvokeAsync(() => cut.Instance.OnAlert(Alert(2, AlertReasons.Reminder60))));

        Assert.Equal(2, cut.FindAll(".mud-alert").Count);
        Assert.Equal("2", cut.Find("[data-testid=emergency-badge] .mud-badge").TextContent.Trim());
        Assert.Contains("02:00:00", cut.Find("[data-testid=emergency-alert-1] [data-testid=emergency-countdown]").TextContent);

        // Acknowledged on another screen: gone here, and not shown again if the hub sends it once more.
        await cut.InvokeAsync(() => cut.Instance.OnAcknowledged([1]));
        Assert.False(await cut.InvokeAsync(() => cut.Instance.OnAlert(Alert(1))));
        Assert.Single(cut.FindAll(".mud-alert"));
        Assert.Empty(cut.FindAll("[data-testid=emergency-alert-1]"));
    }
}
