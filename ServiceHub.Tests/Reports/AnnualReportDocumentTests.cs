using ServiceHub.App.Reports;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Admin;
using ServiceHub.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace ServiceHub.Tests.Reports;

/// <summary>
/// The PDF of the demo year (2025, produced by the demo history's yearly job) as a reader gets it: small enough to mail (the Chinese face
/// subset to the glyphs used, not embedded whole), with the charts of the page drawn in it.
/// </summary>
[Collection(DemoHistoryCollection.Name)]
[Trait("Category", "Slow")]
public sealed class AnnualReportDocumentTests(DemoHistoryWorld demo)
{
    private async Task<(byte[] Pdf, IReadOnlyList<ReportSection> Sections)> DemoYearPdfAsync()
    {
        var leader = await demo.ActorAsync("vp");
        var report = await demo.Get<AnnualReportService>().GetAsync(leader, 2025);
        Assert.NotNull(report);
        var l = TestLocalizer.Create();
        var sections = AnnualReportLayout.Sections(report.Content, l, english: false);
        return (AnnualReportPdf.Write(AnnualReportLayout.Title(l, 2025), AnnualReportLayout.Subtitle(l, report.Version), sections, l["AnnualReport.PageOf"]), sections);
    }

    [Fact]
    public async Task The_demo_years_pdf_is_at_most_1_MB_with_its_font_subset()
    {
        var (pdf, _) = await DemoYearPdfAsync();

        Assert.True(CjkFontResolver.Subsettable, $"{CjkFontResolver.FontPath} is not a TrueType face");
        Assert.True(pdf.Length <= 1_000_000, $"{pdf.Length:N0} bytes");
        using var doc = PdfDocument.Open(pdf);
        // A subset font carries a six-letter tag before its name (ABCDEF+Name).
        var fonts = doc.GetPages().SelectMany(p => p.Letters).Select(x => x.FontName).Distinct().ToList();
        Assert.All(fonts, f => Assert.Matches("^[A-Z]{6}\\+", f));
    }

    [Fact]
    public async Task The_demo_years_pdf_draws_the_monthly_trend_the_root_causes_and_the_departments()
    {
        var (pdf, sections) = await DemoYearPdfAsync();

        using var doc = PdfDocument.Open(pdf);
        var text = string.Concat(doc.GetPages().Select(p => p.Text));
        var charts = sections.SelectMany(s => s.ChartList).ToList();
        Assert.Equal(["root-causes", "departments", "months-satisfaction", "months-complaints"], charts.Select(c => c.Key));
        foreach (var chart in charts)
            Assert.Contains(chart.Title, text);
        // The root causes' bars: the chart's labels are the report's top causes, and the leak bar is drawn.
        var causes = charts[0];
        Assert.Contains("渗漏", causes.Labels);
        Assert.True(causes.Series[0].Values[0] > 0);
        // Drawn as vector paths (bars, lines, grid), not as images.
        var paths = doc.GetPages().Sum(p => p.Paths.Count);
        Assert.True(paths > 200, $"{paths} paths");
    }
}
