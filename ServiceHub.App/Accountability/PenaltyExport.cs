using Microsoft.Extensions.Localization;
using MiniExcelLibs;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Accountability;

namespace ServiceHub.App.Accountability;

/// <summary>The monthly penalty ledger as an Excel workbook: a sheet per person totals and a sheet of entries, headers in the user's language.</summary>
public static class PenaltyExport
{
    public static void MapPenaltyExport(this WebApplication app) =>
        app.MapGet("/penalties/export", async (HttpContext http, string period, SpotCheckRepository repo, IStringLocalizer<SharedResource> l) =>
        {
            if (!ServiceHub.Data.Infrastructure.Month.IsValid(period)) return Results.BadRequest();
            var actor = http.User.ToActor()!;
            var penalties = await repo.PenaltiesAsync(actor, period, http.RequestAborted);
            var ledger = SpotCheckRepository.Ledger(penalties);
            var sheets = new Dictionary<string, object>
            {
                [l["Penalty.Ledger"].Value] = ledger.Select(r => new Dictionary<string, object?>
                {
                    [l["Complaint.Department"].Value] = r.DepartmentName,
                    [l["SpotCheck.Person"].Value] = r.PersonName,
                    [l["Penalty.Entries"].Value] = r.Entries,
                    [l["Penalty.Confirmed"].Value] = r.Confirmed,
                    [l["Penalty.Pending"].Value] = r.Pending,
                }).ToList(),
                [l["Penalty.Details"].Value] = penalties.Select(p => new Dictionary<string, object?>
                {
                    [l["SpotCheck.Period"].Value] = p.Period,
                    [l["SpotCheck.Person"].Value] = p.PersonName,
                    [l["Complaint.Department"].Value] = p.DepartmentName,
                    [l["SpotCheck.Breach"].Value] = l[$"Breach.{p.Breach}"].Value,
                    [l["SpotCheck.Amount"].Value] = p.Amount,
                    [l["Complaint.SheetNo"].Value] = p.SheetNo,
                    [l["Complaint.State"].Value] = l[$"Penalty.State.{p.State}"].Value,
                    [l["SpotCheck.Note"].Value] = p.Note,
                }).ToList(),
            };
            var stream = new MemoryStream();
            await stream.SaveAsAsync(sheets, cancellationToken: http.RequestAborted);
            stream.Position = 0;
            return Results.File(stream, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"penalties-{period}.xlsx");
        }).RequireAuthorization(ServiceHub.Data.Admin.Policies.Penalties);
}
