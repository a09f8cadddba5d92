using System.Globalization;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ServiceHub.App.Reports;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>
/// The Excel workbook a spreadsheet user computes with, on the hand-checked data of <see cref="AnnualReportFixture"/> (2026: replies on time
/// 1 of 2, contact on time 1 of 3, 3 counted complaints): rates are numbers in percent format beside their numerator and denominator.
/// </summary>
public sealed class AnnualReportWorkbookTests(AnnualReportFixture f) : IClassFixture<AnnualReportFixture>
{
    private async Task<(WorkbookPart Book, Worksheet Totals, SpreadsheetDocument Doc)> TotalsAsync()
    {
        var content = await f.Reports.ComputeAsync(f.Leader, 2026);
        var l = TestLocalizer.Create();
        var bytes = AnnualReportWorkbook.Write(AnnualReportLayout.Sections(content, l, english: false), l["AnnualReport.Numerator"], l["AnnualReport.Denominator"]);
        var doc = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var book = doc.WorkbookPart!;
        var first = book.Workbook.Sheets!.Elements<Sheet>().First();
        return (book, ((WorksheetPart)book.GetPartById(first.Id!)).Worksheet, doc);
    }

    private static string Text(Cell c) => c.InlineString?.InnerText ?? c.CellValue?.Text ?? "";

    private static double Number(Cell c)
    {
        Assert.Equal(CellValues.Number, c.DataType!.Value);
        return double.Parse(c.CellValue!.Text, CultureInfo.InvariantCulture);
    }

    private static string? Format(WorkbookPart book, Cell c)
    {
        var styles = book.WorkbookStylesPart!.Stylesheet;
        var id = styles.CellFormats!.Elements<CellFormat>().ElementAt((int)(c.StyleIndex?.Value ?? 0)).NumberFormatId?.Value;
        return styles.NumberingFormats!.Elements<NumberingFormat>().FirstOrDefault(n => n.NumberFormatId!.Value == id)?.FormatCode?.Value
               ?? (id == 1 ? "0" : null);
    }

    [Fact]
    public async Task A_rate_is_a_percent_number_with_its_numerator_and_denominator_in_their_own_columns()
    {
        var (book, totals, doc) = await TotalsAsync();
        using var _ = doc;
        var rows = totals.Descendants<Row>().Select(r => r.Elements<Cell>().ToList()).ToList();

        Assert.Equal(["指标", "2026", "2026 分子", "2026 分母", "2025", "2025 分子", "2025 分母", "变化"], rows[0].Select(Text));
        var reply = rows.Single(r => Text(r[0]) == "48小时内答复率");
        Assert.Equal((0.5, 1, 2), (Number(reply[1]), Number(reply[2]), Number(reply[3])));
        Assert.Equal("0.0%", Format(book, reply[1]));
        Assert.Equal("0", Format(book, reply[2]));
        var contact = rows.Single(r => Text(r[0]) == "时限内首次联系率");
        Assert.Equal((1.0 / 3, 1, 3), (Number(contact[1]), Number(contact[2]), Number(contact[3])));
        // A count shares the year's column as a whole number; the change is a signed number.
        var complaints = rows.Single(r => Text(r[0]) == "计入统计的投诉");
        Assert.Equal(3, Number(complaints[1]));
        Assert.Equal("0", Format(book, complaints[1]));
        Assert.Equal("+0;-0;0", Format(book, complaints[7]));
    }

    [Fact]
    public async Task The_header_row_is_frozen_and_every_column_has_a_width()
    {
        var (_, totals, doc) = await TotalsAsync();
        using var _d = doc;

        var pane = totals.Descendants<Pane>().Single();
        Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);
        Assert.Equal((1.0, "A2"), (pane.VerticalSplit!.Value, pane.TopLeftCell!.Value));
        var header = totals.Descendants<Row>().First().Elements<Cell>().Count();
        var widths = totals.Descendants<Column>().ToList();
        Assert.Equal(header, widths.Count);
        Assert.All(widths, c => Assert.True(c.CustomWidth!.Value && c.Width!.Value >= 8));
        // The measure column is wide enough for its longest Chinese label (two units a character).
        Assert.True(widths[0].Width!.Value >= "回访工作小组方案落实率".Length * 2);
    }
}
