using System.Globalization;
using Microsoft.Extensions.Localization;
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
            var bytes = AnnualReportWorkbook.Write(AnnualReportLayout.Sections(r.Content, l, english), l["AnnualReport.Numerator"], l["AnnualReport.Denominator"]);
            return Results.File(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"annual-report-{year}-v{version}.xlsx");
        });
    }

    private static async Task<AnnualReport?> LoadAsync(HttpContext http, int year, int version, AnnualReportService reports) =>
        await reports.GetAsync(http.User.ToActor()!, year, version, http.RequestAborted) is { } r && r.Version.Version == version ? r : null;
}
