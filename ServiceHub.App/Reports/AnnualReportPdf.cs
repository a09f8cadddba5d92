using System.Buffers.Binary;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace ServiceHub.App.Reports;

/// <summary>
/// Writes the report as a PDF (PDFsharp, A4 landscape): the title, the version line and each <see cref="ReportSection"/> with its charts
/// (vector drawings, <see cref="ReportChartPainter"/>) and its table, cells wrapped character by character (Chinese has no spaces), headers
/// repeated on a new page. Chinese renders through <see cref="CjkFontResolver"/>: a TrueType face, which PDFsharp subsets to the glyphs used.
/// </summary>
public static class AnnualReportPdf
{
    private const double Margin = 36;
    private const double CellPad = 3;

    public static byte[] Write(string title, string subtitle, IReadOnlyList<ReportSection> sections, string pageLabel)
    {
        CjkFontResolver.Install();
        using var doc = new PdfDocument();
        doc.Info.Title = title;
        doc.Info.Creator = "ServiceHub";
        // Unicode (Identity-H) for every string: the "ANSI" simple-font form PDFsharp picks for Latin-only text does not work with a CFF face.
        var unicode = new XPdfFontOptions(PdfFontEncoding.Unicode);
        var titleFont = new XFont(CjkFontResolver.Family, 18, XFontStyleEx.Regular, unicode);
        var headFont = new XFont(CjkFontResolver.Family, 12, XFontStyleEx.Regular, unicode);
        var font = new XFont(CjkFontResolver.Family, 8, XFontStyleEx.Regular, unicode);
        var small = new XFont(CjkFontResolver.Family, 7, XFontStyleEx.Regular, unicode);

        PdfPage page = null!;
        XGraphics g = null!;
        double y = 0;
        var pages = new List<PdfPage>();
        void NewPage()
        {
            g?.Dispose();
            page = doc.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            page.Orientation = PdfSharp.PageOrientation.Landscape;
            g = XGraphics.FromPdfPage(page);
            pages.Add(page);
            y = Margin;
        }
        NewPage();
        var width = page.Width.Point - 2 * Margin;
        var bottom = page.Height.Point - Margin - 14;

        g.DrawString(title, titleFont, XBrushes.Black, new XRect(Margin, y, width, 24), XStringFormats.TopCenter);
        y += 28;
        g.DrawString(subtitle, font, XBrushes.DimGray, new XRect(Margin, y, width, 12), XStringFormats.TopCenter);
        y += 22;

        foreach (var s in sections)
        {
            // The heading stays with what follows it: its first chart row, or the first rows of its table.
            if (y + 60 + (s.ChartList.Count > 0 ? ReportChartPainter.Height : 0) > bottom) NewPage();
            g.DrawString(s.Title, headFont, XBrushes.Black, Margin, y + 12);
            y += 20;
            foreach (var row in s.ChartList.Chunk(2))
            {
                if (y + ReportChartPainter.Height > bottom) NewPage();
                var chartWidth = (width - 16) / 2;
                for (var i = 0; i < row.Length; i++)
                    ReportChartPainter.Draw(g, row[i], new XRect(Margin + i * (chartWidth + 16), y, chartWidth, ReportChartPainter.Height), font, small);
                y += ReportChartPainter.Height + 8;
            }
            var widths = ColumnWidths(g, font, s, width);
            double Row(IReadOnlyList<string> cells, bool header)
            {
                var lines = cells.Select((c, i) => Wrap(g, font, c, widths[i] - 2 * CellPad)).ToList();
                var h = lines.Max(x => x.Count) * (font.Height + 1) + 2 * CellPad;
                if (y + h > bottom)
                {
                    NewPage();
                    if (!header) Row(s.Columns, true);
                }
                var x0 = Margin;
                if (header) g.DrawRectangle(XBrushes.Gainsboro, Margin, y, width, h);
                for (var i = 0; i < cells.Count; i++)
                {
                    for (var k = 0; k < lines[i].Count; k++)
                        g.DrawString(lines[i][k], font, XBrushes.Black, x0 + CellPad, y + CellPad + (k + 1) * (font.Height + 1) - 2);
                    g.DrawRectangle(XPens.Gray, x0, y, widths[i], h);
                    x0 += widths[i];
                }
                y += h;
                return h;
            }
            Row(s.Columns, true);
            foreach (var r in s.Rows) Row([.. r.Select(c => c.Text)], false);
            if (s.Rows.Count == 0) Row([.. s.Columns.Select((_, i) => i == 0 ? "–" : "")], false);
            if (s.Note is { } note)
            {
                foreach (var line in Wrap(g, small, note, width))
                {
                    y += small.Height + 1;
                    g.DrawString(line, small, XBrushes.DimGray, Margin, y + 2);
                }
            }
            y += 16;
        }
        g.Dispose();
        for (var i = 0; i < pages.Count; i++)
        {
            using var pg = XGraphics.FromPdfPage(pages[i]);
            pg.DrawString(string.Format(System.Globalization.CultureInfo.InvariantCulture, pageLabel, i + 1, pages.Count), small, XBrushes.DimGray,
                new XRect(Margin, pages[i].Height.Point - Margin, width, 10), XStringFormats.TopCenter);
        }
        using var ms = new MemoryStream();
        doc.Save(ms);
        return ms.ToArray();
    }

    /// <summary>Each column gets its widest header or cell (capped), scaled to the page width.</summary>
    private static double[] ColumnWidths(XGraphics g, XFont font, ReportSection s, double width)
    {
        var natural = s.Columns.Select((c, i) => Math.Min(260, Math.Max(
            g.MeasureString(c, font).Width,
            s.Rows.Select(r => g.MeasureString(r[i].Text, font).Width).DefaultIfEmpty(0).Max()) + 2 * CellPad + 2)).ToArray();
        var total = natural.Sum();
        return natural.Select(w => w * width / total).ToArray();
    }

    /// <summary>Breaks a text into lines no wider than <paramref name="max"/>, character by character (and at line breaks).</summary>
    internal static List<string> Wrap(XGraphics g, XFont font, string text, double max)
    {
        var lines = new List<string>();
        foreach (var paragraph in text.Replace("\r", "").Split('\n'))
        {
            var line = "";
            foreach (var ch in paragraph)
            {
                if (line.Length > 0 && g.MeasureString(line + ch, font).Width > max)
                {
                    lines.Add(line);
                    line = "";
                }
                line += ch;
            }
            lines.Add(line);
        }
        return lines;
    }
}

/// <summary>
/// PDFsharp's font resolver: every family resolves to one Chinese face. PDFsharp subsets a TrueType (glyf) face to the glyphs a document
/// uses, but embeds a CFF-flavoured OpenType face (Noto Sans CJK) whole (≈ 14 MB for the demo year), so a TrueType face comes first:
/// WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, Apache-2.0 or GPL-3 with the font exception), then Droid Sans Fallback (fonts-droid-fallback, Apache-2.0),
/// and Noto Sans CJK SC (fonts-noto-cjk) only as the last resort. <see cref="Path"/> overrides the search (ServiceHub:PdfFont).
/// PDFsharp reads single fonts only, so a face is cut out of a .ttc: its table directory is copied with the offsets rewritten.
/// </summary>
public sealed class CjkFontResolver : IFontResolver
{
    public const string Family = "ServiceHub CJK";

    /// <summary>The faces tried in order: a file and the index of the face in it (a .ttc holds several).</summary>
    public static readonly IReadOnlyList<(string Path, int Index)> Candidates =
    [
        ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
        ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2), // JP, KR, SC, TC, HK
    ];

    /// <summary>A font file (and face index) to use instead of the candidates; set before the first PDF is written.</summary>
    public static string? Path { get; set; }
    public static int FaceIndex { get; set; }

    private static readonly Lock Gate = new();
    private static readonly Lazy<(string Path, byte[] Face)> Chosen = new(() =>
    {
        var (path, index) = Path is { } p ? (p, FaceIndex) : Candidates.FirstOrDefault(c => File.Exists(c.Path));
        if (path is null)
            throw new FileNotFoundException("No Chinese font for the PDF: install fonts-wqy-microhei (or set ServiceHub:PdfFont to a TrueType font file).");
        return (path, ExtractFace(File.ReadAllBytes(path), index));
    });

    /// <summary>The font file the PDFs use.</summary>
    public static string FontPath => Chosen.Value.Path;

    /// <summary>Whether that face has TrueType outlines (a 'glyf' table), which PDFsharp subsets; a CFF face is embedded whole.</summary>
    public static bool Subsettable => HasTable(Chosen.Value.Face, "glyf");

    public static void Install()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not CjkFontResolver) GlobalFontSettings.FontResolver = new CjkFontResolver();
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) => new(Family);

    public byte[]? GetFont(string faceName) => Chosen.Value.Face;

    private static bool HasTable(byte[] font, string tag)
    {
        int tables = BinaryPrimitives.ReadUInt16BigEndian(font.AsSpan(4));
        return Enumerable.Range(0, tables).Any(i => System.Text.Encoding.ASCII.GetString(font, 12 + 16 * i, 4) == tag);
    }

    /// <summary>The font at <paramref name="index"/> of a TrueType/OpenType collection as a stand-alone font file (a single font is returned as is).</summary>
    public static byte[] ExtractFace(byte[] collection, int index)
    {
        static uint U32(byte[] b, int o) => BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(o));
        if (U32(collection, 0) != 0x74746366) return collection; // 'ttcf'
        var offset = (int)U32(collection, 12 + 4 * index);
        int tables = BinaryPrimitives.ReadUInt16BigEndian(collection.AsSpan(offset + 4));
        var header = 12 + 16 * tables;
        var records = Enumerable.Range(0, tables)
            .Select(i => (Record: offset + 12 + 16 * i, At: (int)U32(collection, offset + 12 + 16 * i + 8), Length: (int)U32(collection, offset + 12 + 16 * i + 12)))
            .ToList();
        var font = new byte[header + records.Sum(r => (r.Length + 3) & ~3)];
        Array.Copy(collection, offset, font, 0, 12);
        var position = header;
        for (var i = 0; i < tables; i++)
        {
            var r = records[i];
            Array.Copy(collection, r.Record, font, 12 + 16 * i, 16);
            BinaryPrimitives.WriteUInt32BigEndian(font.AsSpan(12 + 16 * i + 8), (uint)position);
            Array.Copy(collection, r.At, font, position, r.Length);
            position += (r.Length + 3) & ~3;
        }
        return font;
    }
}
