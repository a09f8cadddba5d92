using Bunit;
using ServiceHub.App.Components.Pages.Reports;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

/// <summary>The bar shown while an annual report is produced: how many of the parts are done, in the reader's language.</summary>
public sealed class AnnualReportProgressBarTests
{
    [Fact]
    public async Task The_bar_shows_the_parts_done_and_their_percent()
    {
        await using var ctx = BunitSetup.Create();
        var bar = ctx.Render<AnnualReportProgressBar>(p => p.Add(x => x.Progress, new AnnualReportProgress(6, "opinions")));

        Assert.Equal("正在生成报告：已完成 6/13 项（46%）", bar.Find("[data-testid=annual-progress-text]").TextContent.Trim());
        Assert.Equal("46", bar.Find("[role=progressbar]").GetAttribute("aria-valuenow"));

        bar.Render(p => p.Add(x => x.Progress, new AnnualReportProgress(AnnualReportProgress.Steps, AnnualReportProgress.Saved)));
        Assert.Equal("100", bar.Find("[role=progressbar]").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public async Task Before_the_first_part_the_bar_moves_without_a_value_in_english_too()
    {
        await using var ctx = BunitSetup.Create("en");
        var bar = ctx.Render<AnnualReportProgressBar>();

        Assert.Equal("Producing the report: 0 of 13 parts done (0%)", bar.Find("[data-testid=annual-progress-text]").TextContent.Trim());
        Assert.Contains("mud-progress-indeterminate", bar.Markup);
    }
}
