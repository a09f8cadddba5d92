using Microsoft.Playwright;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

public sealed class AnnualReportBrowserTests(BrowserAppFactory app, BrowserFixture browser)
    : IClassFixture<BrowserAppFactory>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Leadership_downloads_the_annual_report_as_pdf_from_the_report_page()
    {
        var page = await browser.SignInAsync(app, "leader");
        var (name, bytes) = await DownloadAnnualReportPdfAsync(page, AnnualReportRules.LastYear(app.Clock));
        Assert.Equal($"annual-report-{AnnualReportRules.LastYear(app.Clock)}-v1.pdf", name);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(bytes);
        Assert.Contains("年度服务评审报告", string.Concat(pdf.GetPages().Select(p => p.Text)));
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// From a signed-in leadership page: opens the annual reports, produces the report of <paramref name="year"/> (or opens the existing
    /// version), checks the report page shows it, and downloads its PDF. Returns the suggested file name and the bytes.
    /// </summary>
    public static async Task<(string Name, byte[] Bytes)> DownloadAnnualReportPdfAsync(IPage page, int year)
    {
        await BrowserFixture.GotoAsync(page, "/reports/annual");
        await page.Locator("input[data-testid=annual-year]").FillAsync(year.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("[data-testid=annual-produce]").ClickAsync();
        await page.WaitForURLAsync($"**/reports/annual/{year}/*");
        await Assertions.Expect(page.Locator("[data-testid=annual-report] h1")).ToContainTextAsync($"{year}年度服务评审报告");
        await Assertions.Expect(page.Locator("[data-testid=annual-section-totals]")).ToBeVisibleAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=annual-pdf]").ClickAsync());
        var path = await download.PathAsync();
        return (download.SuggestedFilename, await File.ReadAllBytesAsync(path));
    }
}
