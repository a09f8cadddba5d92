using System.Globalization;
using PdfSharp.Drawing;

namespace ServiceHub.App.Reports;

/// <summary>
/// Draws a <see cref="ReportChart"/> into a PDF page as vector graphics (a few hundred bytes, no image): the title, a value axis with grid
/// lines (0–100 for percent charts, a rounded maximum for counts), grouped bars or lines with gaps where nothing was measured, the category
/// labels and a legend.
/// </summary>
public static class ReportChartPainter
{
    public const double Height = 190;

    private static readonly XColor[] Palette =
    [
        XColor.FromArgb(0x59, 0x4A, 0xE2), XColor.FromArgb(0x00, 0x96, 0x88), XColor.FromArgb(0xFF, 0x98, 0x00), XColor.FromArgb(0xE9, 0x1E, 0x63),
        XColor.FromArgb(0x60, 0x7D, 0x8B),
    ];

    public static void Draw(XGraphics g, ReportChart chart, XRect area, XFont font, XFont small)
    {
        g.DrawRectangle(new XPen(XColors.LightGray, 0.5), area);
        g.DrawString(chart.Title, font, XBrushes.Black, new XRect(area.X, area.Y + 4, area.Width, 12), XStringFormats.TopCenter);

        const double axisWidth = 30, labelHeight = 20, legendHeight = 14;
        var plot = new XRect(area.X + axisWidth + 4, area.Y + 22, area.Width - axisWidth - 14, area.Height - 22 - labelHeight - legendHeight - 6);
        var max = AxisMax(chart);
        double Y(double v) => plot.Bottom - v / max * plot.Height;

        // Value axis: five steps with grid lines.
        var grid = new XPen(XColors.Gainsboro, 0.4);
        for (var i = 0; i <= 5; i++)
        {
            var v = max * i / 5;
            g.DrawLine(grid, plot.Left, Y(v), plot.Right, Y(v));
            g.DrawString(v.ToString(max >= 10 ? "0" : "0.#", CultureInfo.InvariantCulture) + (chart.Percent ? "%" : ""), small, XBrushes.DimGray,
                new XRect(area.X, Y(v) - 4, axisWidth, 8), XStringFormats.CenterRight);
        }
        g.DrawLine(new XPen(XColors.Gray, 0.6), plot.Left, plot.Bottom, plot.Right, plot.Bottom);

        var n = Math.Max(1, chart.Labels.Count);
        var slot = plot.Width / n;
        for (var i = 0; i < chart.Labels.Count; i++)
        {
            var lines = AnnualReportPdf.Wrap(g, small, chart.Labels[i], slot - 2).Take(2).ToList();
            for (var k = 0; k < lines.Count; k++)
                g.DrawString(lines[k], small, XBrushes.Black, new XRect(plot.Left + i * slot, plot.Bottom + 2 + k * (small.Height + 1), slot, small.Height), XStringFormats.TopCenter);
        }

        if (chart.Kind == ReportChartKind.Bar)
        {
            var barWidth = slot * 0.8 / Math.Max(1, chart.Series.Count);
            for (var s = 0; s < chart.Series.Count; s++)
            {
                var brush = new XSolidBrush(Palette[s % Palette.Length]);
                for (var i = 0; i < chart.Series[s].Values.Count && i < n; i++)
                    if (chart.Series[s].Values[i] is { } v && v > 0)
                        g.DrawRectangle(brush, plot.Left + i * slot + slot * 0.1 + s * barWidth, Y(Math.Min(v, max)), barWidth * 0.9, plot.Bottom - Y(Math.Min(v, max)));
            }
        }
        else
        {
            for (var s = 0; s < chart.Series.Count; s++)
            {
                var color = Palette[s % Palette.Length];
                var pen = new XPen(color, 1.2);
                var brush = new XSolidBrush(color);
                XPoint? previous = null;
                for (var i = 0; i < chart.Series[s].Values.Count && i < n; i++)
                {
                    if (chart.Series[s].Values[i] is not { } v)
                    {
                        previous = null; // nothing measured: a gap, not 0%
                        continue;
                    }
                    var p = new XPoint(plot.Left + (i + 0.5) * slot, Y(Math.Min(v, max)));
                    if (previous is { } from) g.DrawLine(pen, from, p);
                    g.DrawEllipse(brush, p.X - 1.5, p.Y - 1.5, 3, 3);
                    previous = p;
                }
            }
        }

        // Legend: a colour key and the series name, side by side along the bottom.
        var x = plot.Left;
        var legendY = area.Bottom - legendHeight;
        for (var s = 0; s < chart.Series.Count; s++)
        {
            var name = chart.Series[s].Name;
            var w = g.MeasureString(name, small).Width;
            g.DrawRectangle(new XSolidBrush(Palette[s % Palette.Length]), x, legendY + 2, 8, 6);
            g.DrawString(name, small, XBrushes.Black, x + 11, legendY + 8);
            x += w + 22;
        }
    }

    /// <summary>100 for percent charts; otherwise the largest value rounded up to 1, 2 or 5 times a power of ten (at least 1).</summary>
    public static double AxisMax(ReportChart chart)
    {
        if (chart.Percent) return 100;
        var top = chart.Series.SelectMany(s => s.Values).Select(v => v ?? 0).DefaultIfEmpty(0).Max();
        if (top <= 1) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(top)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(m => m >= top);
    }
}
