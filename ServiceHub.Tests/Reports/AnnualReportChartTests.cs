using Bunit;
using ServiceHub.App.Components.Pages.Reports;
using ServiceHub.App.Reports;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>The annual report's bar charts on the page: level labels when they fit side by side, slanted when they would run into each other.</summary>
public sealed class AnnualReportChartTests
{
    private static IRenderedComponent<AnnualReportChart> Render(BunitContext ctx, params string[] labels) =>
        ctx.Render<AnnualReportChart>(p => p.Add(c => c.Chart, new ReportChart("chart", "title", ReportChartKind.Bar, labels,
            [new ReportSeries("2025", labels.Select((_, i) => (double?)(labels.Length - i)).ToList())], Percent: false)));

    /// <summary>The angle, in degrees, each label's text is turned by in the chart's drawing (its <c>rotate(angle x y)</c>; 0 when level).</summary>
    private static double[] Rotations(IRenderedComponent<AnnualReportChart> chart, IEnumerable<string> labels) =>
        labels.Select(l => chart.FindAll("svg text").First(t => t.TextContent.Trim() == l).GetAttribute("transform") is { } t
            && System.Text.RegularExpressions.Regex.Match(t, @"rotate\((-?[0-9.]+)") is { Success: true } m
                ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0).ToArray();

    [Fact]
    public void The_ten_top_root_causes_in_english_slant_their_labels_so_they_do_not_run_into_each_other()
    {
        using var ctx = BunitSetup.Create("en");
        string[] causes = ["Equipment faults", "Wall cracks", "Unkept sales promises", "Leaks", "Fee disputes", "Cleaning and greenery",
            "Slow repairs", "Security and order", "Too few parking spaces", "Surroundings"];
        Assert.All(Rotations(Render(ctx, causes), causes), r => Assert.NotEqual(0, r));
    }

    [Fact]
    public void The_ten_top_root_causes_in_chinese_slant_too()
    {
        using var ctx = BunitSetup.Create("zh-CN");
        string[] causes = ["设备故障", "墙体开裂", "销售承诺未兑现", "渗漏", "收费争议", "环境卫生", "维修不及时", "安全秩序", "车位不足", "周边环境"];
        Assert.All(Rotations(Render(ctx, causes), causes), r => Assert.NotEqual(0, r));
    }

    [Fact]
    public void Three_departments_and_twelve_months_keep_level_labels()
    {
        using var ctx = BunitSetup.Create("en");
        string[] departments = ["Property Company", "Engineering Dept", "Sales & Marketing Dept"];
        string[] months = [.. Enumerable.Range(1, 12).Select(m => m.ToString("00"))];
        Assert.All(Rotations(Render(ctx, departments), departments), r => Assert.Equal(0, r));
        Assert.All(Rotations(Render(ctx, months), months), r => Assert.Equal(0, r));
    }
}
