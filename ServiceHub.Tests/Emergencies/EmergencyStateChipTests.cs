using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServiceHub.App.Components.Pages.Emergencies;
using ServiceHub.Data.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Emergencies;

/// <summary>
/// The state chip of the emergency list's last column: an emergency on site reads "on site in time" or "on site late" once — the list
/// fits a 1,400-pixel screen in English (the chip said "On site · On site in time" and was cut off at the table's edge).
/// </summary>
public sealed class EmergencyStateChipTests
{
    private static readonly DateTimeOffset Due = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("zh-CN", -10, "按时到场")]
    [InlineData("zh-CN", 10, "超时到场")]
    [InlineData("en", -10, "On site in time")]
    [InlineData("en", 10, "On site late")]
    public async Task An_emergency_on_site_reads_in_time_or_late_once(string culture, int minutesAfterDue, string expected)
    {
        await using var ctx = BunitSetup.Create(culture, s => s.AddSingleton<TimeProvider>(new FakeTimeProvider(Due)));
        var chip = ctx.Render<EmergencyStateChip>(p => p
            .Add(c => c.State, EmergencyStates.OnSite).Add(c => c.DueAt, Due).Add(c => c.ArrivedAt, Due.AddMinutes(minutesAfterDue)));
        Assert.Equal(expected, chip.Find("[data-testid=emergency-state]").TextContent.Trim());
    }
}
