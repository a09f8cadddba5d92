using System.Globalization;
using ServiceHub.Data.Reports;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// The one display of a rate (dashboard, return-visit satisfaction, annual report): percent to one decimal, as <see cref="KpiRate.Percent"/>
/// rounds it. Display only: whether a target is met is <see cref="KpiRate.AtLeast"/> on the exact ratio, so 1,799 of 2,000 shows 90.0% and
/// is below a 90% target.
/// </summary>
public static class RateText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"89.9%"; <paramref name="none"/> when nothing was measured.</summary>
    public static string Percent(KpiRate rate, string none = "—") => rate.Percent is { } p ? p.ToString("0.0", Inv) + "%" : none;

    /// <summary>A target as configured, without trailing zeros: 90 → "90", 92.5 → "92.5".</summary>
    public static string Target(decimal targetPercent) => targetPercent.ToString("0.##", Inv);
}
