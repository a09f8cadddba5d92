using System.Globalization;
using System.Net;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace ServiceHub.Tests.Reports;

/// <summary>The downloads of a stored report: the PDF opens and carries the Chinese title; Excel has a sheet per section; roles are checked.</summary>
public sealed class AnnualReportExportTests(AppFactory app) : IClassFixture<AppFactory>
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
    public async Task The_excel_workbook_has_a_sheet_per_section_with_numeric_rates_their_numerators_and_denominators_and_a_frozen_header()
    {
        var year = await ProducedYearAsync();
        var supervisor = await app.SignedInClientAsync("csmanager");
        var response = await supervisor.GetAsync($"/reports/annual/{year}/1/excel");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = SpreadsheetDocument.Open(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), false);
        var book = doc.WorkbookPart!;
        var sheets = book.Workbook.Sheets!.Elements<Sheet>().ToList();
        Assert.Equal(8, sheets.Count);
        var totals = ((WorksheetPart)book.GetPartById(sheets[0].Id!)).Worksheet;
        var rows = totals.Descendants<Row>().Select(r => r.Elements<Cell>().ToList()).ToList();
        string Text(Cell c) => c.InlineString?.InnerText ?? c.CellValue?.Text ?? "";
        string? Format(Cell c) => c.StyleIndex is { } i
            ? book.WorkbookStylesPart!.Stylesheet.NumberingFormats!.Elements<NumberingFormat>()
                .FirstOrDefault(f => f.NumberFormatId!.Value == book.WorkbookStylesPart.Stylesheet.CellFormats!.Elements<CellFormat>().ElementAt((int)i.Value).NumberFormatId!.Value)?.FormatCode?.Value
            : null;

        // Header: measure, the year as a percent, its numerator and denominator, the year before likewise, the change.
        Assert.Equal(["指标", $"{year}", $"{year} 分子", $"{year} 分母", $"{year - 1}", $"{year - 1} 分子", $"{year - 1} 分母", "变化"], rows[0].Select(Text));
        var reply = rows.Single(r => Text(r[0]) == "48小时内答复率");
        var (numerator, denominator) = (double.Parse(Text(reply[2]), CultureInfo.InvariantCulture), double.Parse(Text(reply[3]), CultureInfo.InvariantCulture));
        Assert.True(denominator > 0);
        Assert.Equal(CellValues.Number, reply[1].DataType!.Value);
        Assert.Equal("0.0%", Format(reply[1]));
        Assert.Equal(numerator / denominator, double.Parse(Text(reply[1]), CultureInfo.InvariantCulture), 9);
        Assert.All(reply.Skip(2).Take(2), c => Assert.Equal(CellValues.Number, c.DataType!.Value));
        // A count is a number too, in the same column as the rates.
        var complaints = rows.Single(r => Text(r[0]) == "计入统计的投诉");
        Assert.Equal(CellValues.Number, complaints[1].DataType!.Value);
        // The header row stays in view; every column has a width.
        var pane = totals.Descendants<Pane>().Single();
        Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);
        Assert.Equal(1, pane.VerticalSplit!.Value);
        Assert.Equal(rows[0].Count, totals.Descendants<Column>().Count(c => c.CustomWidth?.Value == true && c.Width!.Value >= 8));
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
