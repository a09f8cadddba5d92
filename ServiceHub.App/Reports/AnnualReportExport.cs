using System.Globalization;
using Microsoft.Extensions.Localization;
using MiniExcelLibs;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Reports;

namespace ServiceHub.App.Reports;

/// <summary>Downloads of a stored report version: PDF and Excel (a sheet per section), in the reader's language.</summary>
public static class AnnualReportExport
{
    public static void MapAnnualReportExport(this WebApplication app)
    {
        var group = app.MapGroup("/reports/annual/{year:int}/{version:int}").RequireAuthorization(ServiceHub.Data.Admin.Policies.AnnualReports);

        group.MapGet("/pdf", async (HttpContext http, int year, int version, AnnualReportService reports, IStringLocalizer<SharedResource> l) =>
        {
            if (await LoadAsync(http, year, version, reports) is not { } r) return Results.NotFound();
            var english = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
            var bytes = AnnualReportPdf.Write(AnnualReportLayout.Title(l, year), AnnualReportLayout.Subtitle(l, r.Version),
                AnnualReportLayout.Sections(r.Content, l, english), l["AnnualReport.PageOf"].Value);
            return Results.File(bytes, "application/pdf", $"annual-report-{year}-v{version}.pdf");
        });

        group.MapGet("/excel", async (HttpContext http, int year, int version, AnnualReportService reports, IStringLocalizer<SharedResource> l) =>
        {
            if (await LoadAsync(http, year, version, reports) is not { } r) return Results.NotFound();
            var english = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
            var sheets = new Dictionary<string, object>();
            foreach (var s in AnnualReportLayout.Sections(r.Content, l, english))
            {
                var name = SheetName(s.Title, sheets.Count + 1);
                sheets[name] = s.Rows.Select(row => s.Columns.Select((c, i) => (Key: UniqueHeader(s.Columns, i), Value: (object?)row[i]))
                    .ToDictionary(x => x.Key, x => x.Value)).ToList();
            }
            var stream = new MemoryStream();
            await stream.SaveAsAsync(sheets, cancellationToken: http.RequestAborted);
            stream.Position = 0;
            return Results.File(stream, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"annual-report-{year}-v{version}.xlsx");
        });
    }

    private static async Task<AnnualReport?> LoadAsync(HttpContext http, int year, int version, AnnualReportService reports) =>
        await reports.GetAsync(http.User.ToActor()!, year, version, http.RequestAborted) is { } r && r.Version.Version == version ? r : null;

    /// <summary>Excel sheet names: at most 31 characters, none of []:*?/\ ; numbered so they stay unique.</summary>
    private static string SheetName(string title, int n)
    {
        var clean = new string(title.Where(ch => "[]:*?/\\".IndexOf(ch) < 0).ToArray());
        var name = $"{n}. {clean}";
        return name.Length > 31 ? name[..31] : name;
    }

    /// <summary>Column headers must be unique keys; a repeated header gets a suffix.</summary>
    private static string UniqueHeader(IReadOnlyList<string> columns, int i)
    {
        var before = columns.Take(i).Count(c => c == columns[i]);
        return before == 0 ? columns[i] : $"{columns[i]} ({before + 1})";
    }
}
