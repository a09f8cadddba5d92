using System.Net;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace ServiceHub.Tests.Reports;

/// <summary>The downloads of a stored report: the PDF opens and carries the Chinese title; Excel has a sheet per section; roles are checked.</summary>
// Shares the collection's app: it produces last year's report (each test downloads version 1); no other test there reads reports.
[Collection(AppCollection.Name)]
public sealed class AnnualReportExportTests(AppFactory app)
{
    private async Task<int> ProducedYearAsync()
    {
        var year = AnnualReportRules.LastYear(app.Clock);
        await app.Get<AnnualReportService>().ProduceAsync(null, year);
        return year;
    }

    [Fact]
    public async Task The_pdf_opens_and_contains_the_chinese_title_and_the_sections()
    {
        var year = await ProducedYearAsync();
        var leader = await app.SignedInClientAsync("leader");
        var response = await leader.GetAsync($"/reports/annual/{year}/1/pdf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        using var pdf = PdfDocument.Open(await response.Content.ReadAsByteArrayAsync());
        Assert.True(pdf.NumberOfPages >= 1);
        var text = string.Concat(pdf.GetPages().Select(p => p.Text));
        Assert.Contains($"{year}年度服务评审报告", text);
        Assert.Contains("各部门表现", text);
        Assert.Contains("回访工作小组", text);
    }

    [Fact]
    public async Task The_excel_workbook_has_a_sheet_per_section_and_the_totals_beside_the_previous_year()
    {
        var year = await ProducedYearAsync();
        var supervisor = await app.SignedInClientAsync("csmanager");
        var response = await supervisor.GetAsync($"/reports/annual/{year}/1/excel");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var sheets = MiniExcelLibs.MiniExcel.GetSheetNames(new MemoryStream(bytes));
        Assert.Equal(8, sheets.Count);
        var totals = MiniExcelLibs.MiniExcel.Query(new MemoryStream(bytes), useHeaderRow: true, sheetName: sheets[0]).Cast<IDictionary<string, object?>>().ToList();
        Assert.Contains(totals, r => (string?)r["指标"] == "计入统计的投诉");
        Assert.True(totals[0].ContainsKey(year.ToString()) && totals[0].ContainsKey((year - 1).ToString()));
    }

    [Fact]
    public async Task A_handler_or_a_department_manager_may_not_download_it()
    {
        var year = await ProducedYearAsync();
        foreach (var user in new[] { "handler", "pmmanager", "agent" })
        {
            var client = await app.SignedInClientAsync(user);
            Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync($"/reports/annual/{year}/1/pdf")).StatusCode);
            Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync($"/reports/annual/{year}/1/excel")).StatusCode);
        }
    }
}
