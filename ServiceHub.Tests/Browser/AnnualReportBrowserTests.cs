using Microsoft.Playwright;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

/// <summary>The annual report's download in the browser, used by the leadership journey (LeadershipReportsBrowserTests).</summary>
public static class AnnualReportDownload
{
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
