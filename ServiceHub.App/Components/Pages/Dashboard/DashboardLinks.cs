using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Reports;

namespace ServiceHub.App.Components.Pages.Dashboard;

/// <summary>The addresses of the dashboard and of the list behind a figure (month yyyy-MM, department, set, breakdown bar).</summary>
public static class DashboardLinks
{
    public static string Dashboard(Month month, int? departmentId) =>
        $"/dashboard?month={month}" + (departmentId is { } d ? $"&dept={d}" : "");

    /// <summary>The list behind a figure; with <paramref name="by"/>, one bar of a breakdown (<paramref name="key"/> null = "not set").</summary>
    public static string Drill(Month month, int? departmentId, KpiSet set, StatisticsDimension? by = null, string? key = null, string? label = null) =>
        $"/dashboard/drill?month={month}&set={set}"
        + (departmentId is { } d ? $"&dept={d}" : "")
        + (by is { } b ? $"&by={b}" : "")
        + (key is not null ? $"&key={Uri.EscapeDataString(key)}" : "")
        + (label is not null ? $"&label={Uri.EscapeDataString(label)}" : "");
}
