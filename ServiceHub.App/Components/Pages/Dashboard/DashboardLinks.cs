using System.Globalization;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Reports;

namespace ServiceHub.App.Components.Pages.Dashboard;

/// <summary>The addresses of the dashboard and of the list behind a figure (month yyyy-MM, department, set, breakdown bar).</summary>
public static class DashboardLinks
{
    public static string Month(DateOnly month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static DateOnly? ParseMonth(string? month) =>
        DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    public static string Dashboard(DateOnly month, int? departmentId) =>
        $"/dashboard?month={Month(month)}" + (departmentId is { } d ? $"&dept={d}" : "");

    /// <summary>The list behind a figure; with <paramref name="by"/>, one bar of a breakdown (<paramref name="key"/> null = "not set").</summary>
    public static string Drill(DateOnly month, int? departmentId, KpiSet set, StatisticsDimension? by = null, string? key = null, string? label = null) =>
        $"/dashboard/drill?month={Month(month)}&set={set}"
        + (departmentId is { } d ? $"&dept={d}" : "")
        + (by is { } b ? $"&by={b}" : "")
        + (key is not null ? $"&key={Uri.EscapeDataString(key)}" : "")
        + (label is not null ? $"&label={Uri.EscapeDataString(label)}" : "");
}
