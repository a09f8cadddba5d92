using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace ServiceHub.App.Reports;

/// <summary>
/// The report as an Excel workbook a spreadsheet user can compute with (Open XML SDK): a sheet per <see cref="ReportSection"/>, the header
/// row bold and frozen, column widths from the longest text. Counts are numbers; every rate column becomes three: the ratio as a number in
/// percent format (0.0%; empty when nothing was measured), its numerator and its denominator.
/// </summary>
public static class AnnualReportWorkbook
{
    /// <summary>Style indexes of <see cref="Styles"/>.</summary>
    internal const uint Text = 0, Header = 1, Percent = 2, Whole = 3;

    /// <summary>The number formats of the cells (a custom format gets an id from 164 on, as Excel numbers them).</summary>
    private static readonly string[] CustomFormats = ["+0;-0;0", "+0.0;-0.0;0.0"];

    public static byte[] Write(IReadOnlyList<ReportSection> sections, string numerator, string denominator)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var book = doc.AddWorkbookPart();
            book.Workbook = new Workbook(new Sheets());
            book.AddNewPart<WorkbookStylesPart>().Stylesheet = Styles();
            var sheets = book.Workbook.Sheets!;
            foreach (var s in sections)
            {
                var part = book.AddNewPart<WorksheetPart>();
                part.Worksheet = Sheet(s, numerator, denominator);
                sheets.Append(new Sheet { Id = book.GetIdOfPart(part), SheetId = (uint)sheets.Count() + 1, Name = SheetName(s.Title, sheets.Count() + 1) });
            }
            book.Workbook.Save();
        }
        return ms.ToArray();
    }

    /// <summary>One output column: its header and how a row's cell of the source column fills it.</summary>
    private sealed record Column(string Header, Func<ReportCell, Cell> Make);

    private static Worksheet Sheet(ReportSection s, string numerator, string denominator)
    {
        var columns = new List<Column>();
        for (var i = 0; i < s.Columns.Count; i++)
        {
            var header = s.Columns[i];
            if (s.Rows.Any(r => r[i].Rate is not null))
            {
                // The ratio, then numerator and denominator; a row of the column that is no rate (a count, a verdict) stays in the first.
                columns.Add(new(header, c => c.Rate is { } r ? (r.Denominator > 0 ? NumberCell((double)r.Numerator / r.Denominator, Percent) : new Cell()) : Plain(c)));
                columns.Add(new($"{header} {numerator}", c => c.Rate is { } r ? NumberCell(r.Numerator, Whole) : new Cell()));
                columns.Add(new($"{header} {denominator}", c => c.Rate is { } r ? NumberCell(r.Denominator, Whole) : new Cell()));
            }
            else columns.Add(new(header, Plain));
        }
        var sourceOf = new List<int>();
        for (var i = 0; i < s.Columns.Count; i++) sourceOf.AddRange(Enumerable.Repeat(i, s.Rows.Any(r => r[i].Rate is not null) ? 3 : 1));

        var data = new SheetData();
        data.Append(new Row(columns.Select(c => TextCell(c.Header, Header))));
        foreach (var row in s.Rows)
            data.Append(new Row(columns.Select((c, k) => c.Make(row[sourceOf[k]]))));

        var widths = columns.Select((c, k) => Math.Clamp(
            s.Rows.Select(r => Width(r[sourceOf[k]].Rate is null ? r[sourceOf[k]].Text : "100.0%")).Append(Width(c.Header)).Max() + 2, 8, 60)).ToList();
        return new Worksheet(
            new SheetViews(new SheetView(new Pane
            {
                VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen,
            }) { WorkbookViewId = 0, TabSelected = false }),
            new Columns(widths.Select((w, k) => new DocumentFormat.OpenXml.Spreadsheet.Column
            {
                Min = (uint)k + 1, Max = (uint)k + 1, Width = w, CustomWidth = true,
            })),
            data);
    }

    /// <summary>A text or, when it carries a number, a number cell in its format.</summary>
    private static Cell Plain(ReportCell c) =>
        c.Number is { } n ? NumberCell(n, c.Format is { } f && Array.IndexOf(CustomFormats, f) is >= 0 and var i ? Whole + 1 + (uint)i : Whole) : TextCell(c.Text, Text);

    private static Cell NumberCell(double value, uint style) => new() { CellValue = new CellValue(value), DataType = CellValues.Number, StyleIndex = style };

    private static Cell TextCell(string text, uint style) =>
        new(new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(text) { Space = SpaceProcessingModeValues.Preserve })) { DataType = CellValues.InlineString, StyleIndex = style };

    /// <summary>The column width a text needs, in Excel's character units: a Chinese character is about two.</summary>
    private static double Width(string text) =>
        text.Split('\n').Max(line => line.Sum(ch => ch > 0x2E80 ? 2.0 : 1.0));

    /// <summary>Text; bold header on grey; 0.0%; whole numbers; then the custom formats (signed changes).</summary>
    private static Stylesheet Styles()
    {
        var formats = new NumberingFormats(new NumberingFormat { NumberFormatId = 164, FormatCode = "0.0%" });
        formats.Append(CustomFormats.Select((f, i) => new NumberingFormat { NumberFormatId = (uint)(165 + i), FormatCode = f }));
        var cellFormats = new CellFormats(
            new CellFormat(),
            new CellFormat { FontId = 1, FillId = 2, ApplyFont = true, ApplyFill = true },
            new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 1, ApplyNumberFormat = true });
        cellFormats.Append(CustomFormats.Select((_, i) => new CellFormat { NumberFormatId = (uint)(165 + i), ApplyNumberFormat = true }));
        return new Stylesheet(
            formats,
            new Fonts(new Font(), new Font(new Bold())),
            new Fills(
                new Fill(new PatternFill { PatternType = PatternValues.None }),
                new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
                new Fill(new PatternFill(new ForegroundColor { Rgb = "FFE0E0E0" }) { PatternType = PatternValues.Solid })),
            new Borders(new Border()),
            cellFormats);
    }

    /// <summary>Excel sheet names: at most 31 characters, none of []:*?/\ ; numbered so they stay unique.</summary>
    private static string SheetName(string title, int n)
    {
        var clean = new string(title.Where(ch => "[]:*?/\\".IndexOf(ch) < 0).ToArray());
        var name = $"{n}. {clean}";
        return name.Length > 31 ? name[..31] : name;
    }
}
