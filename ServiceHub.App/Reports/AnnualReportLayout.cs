using System.Globalization;
using Microsoft.Extensions.Localization;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;

namespace ServiceHub.App.Reports;

/// <summary>One table of the report: a title, the column headers and the rows as text (the same on the page, in the PDF and in Excel).</summary>
public sealed record ReportSection(string Key, string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, string? Note = null);

/// <summary>
/// The Annual Service Review Report laid out as titled tables in the reader's language. The page, the print view, the PDF and the Excel
/// workbook all render these sections, so they always show the same figures.
/// </summary>
public static class AnnualReportLayout
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Title(IStringLocalizer l, int year) => l["AnnualReport.TitleOf", year].Value;

    public static string Subtitle(IStringLocalizer l, AnnualReportVersion v) =>
        l["AnnualReport.VersionLine", v.Version, BusinessTime.Format(v.ProducedAt), v.ProducedBy is null ? l["AnnualReport.ByJob"].Value : v.ProducedByName].Value;

    /// <summary>"92.5% (37/40)"; "–" when nothing was measured.</summary>
    public static string Rate(KpiRate r) => r.Percent is not null ? $"{RateText.Percent(r)} ({r.Numerator}/{r.Denominator})" : "–";

    /// <summary>"达标" / "未达标" against <paramref name="targetPercent"/> on the exact ratio; "–" when nothing was measured.</summary>
    private static string Verdict(IStringLocalizer l, KpiRate r, decimal targetPercent) => r.AtLeast(targetPercent) switch
    {
        true => l["AnnualReport.TargetMet"].Value,
        false => l["AnnualReport.TargetMissed"].Value,
        null => "–",
    };

    private static string Change(int now, int before) => (now - before) switch { > 0 and var d => $"+{d}", var d => d.ToString(Inv) };

    private static string Change(KpiRate now, KpiRate before) =>
        now.Percent is { } a && before.Percent is { } b ? (a - b) switch { > 0 and var d => $"+{d.ToString("0.0", Inv)}", var d => d.ToString("0.0", Inv) } : "–";

    private static string Minutes(double? m) => m is { } v ? Math.Round(v, 0, MidpointRounding.AwayFromZero).ToString("0", Inv) : "–";

    private static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", Inv) ?? "–";

    public static IReadOnlyList<ReportSection> Sections(AnnualReportContent c, IStringLocalizer l, bool english)
    {
        string Name(string? zh, string? en) => (english ? en : zh) ?? l["AnnualReport.NotSet"].Value;
        var y = c.Year.ToString(Inv);
        var py = (c.Year - 1).ToString(Inv);
        var now = c.Current;
        var before = c.Previous;
        var target = c.SatisfactionTarget;
        var vsTarget = l["AnnualReport.SatisfactionVsTarget", RateText.Target(target)].Value;
        var sections = new List<ReportSection>();

        IReadOnlyList<string> Count(string label, int a, int b) => [label, a.ToString(Inv), b.ToString(Inv), Change(a, b)];
        IReadOnlyList<string> Ratio(string label, KpiRate a, KpiRate b) => [label, Rate(a), Rate(b), Change(a, b)];
        sections.Add(new("totals", l["AnnualReport.Totals"], [l["AnnualReport.Measure"], y, py, l["AnnualReport.Change"]],
        [
            Count(l["AnnualReport.Complaints"], now.Complaints, before.Complaints),
            Count(l["AnnualReport.AwaitingVerification"], now.AwaitingVerification, before.AwaitingVerification),
            Count(l["AnnualReport.NotCounted"], now.NotCounted, before.NotCounted),
            Ratio(l["AnnualReport.ReplyOnTime"], now.ReplyOnTime, before.ReplyOnTime),
            Ratio(l["AnnualReport.ContactOnTime"], now.ContactOnTime, before.ContactOnTime),
            Count(l["AnnualReport.Escalated"], now.Escalated, before.Escalated),
            Count(l["AnnualReport.EscalatedLevel2"], now.EscalatedLevel2, before.EscalatedLevel2),
            Ratio(l["AnnualReport.ClosureRate"], now.ClosureRate, before.ClosureRate),
            Count(l["AnnualReport.Repeat"], now.Repeat, before.Repeat),
            Ratio(l["AnnualReport.ConsultationSatisfaction"], now.ConsultationSatisfaction, before.ConsultationSatisfaction),
            [vsTarget, Verdict(l, now.ConsultationSatisfaction, target), Verdict(l, before.ConsultationSatisfaction, target), "–"],
            Ratio(l["AnnualReport.ReturnVisitSatisfaction"], now.ReturnVisitSatisfaction, before.ReturnVisitSatisfaction),
            Count(l["AnnualReport.ReturnVisitsUnreachable"], now.ReturnVisitsUnreachable, before.ReturnVisitsUnreachable),
            Count(l["AnnualReport.Emergencies"], now.Emergencies, before.Emergencies),
            Ratio(l["AnnualReport.EmergencyOnTime"], now.EmergencyOnTime, before.EmergencyOnTime),
            [l["AnnualReport.MeanArrival"], Minutes(now.MeanArrivalMinutes), Minutes(before.MeanArrivalMinutes), "–"],
            [l["AnnualReport.MaxArrival"], Minutes(now.MaxArrivalMinutes), Minutes(before.MaxArrivalMinutes), "–"],
            [l["AnnualReport.PlanImplementation"], Rate(c.PlanImplementation), "–", "–"],
        ], l["AnnualReport.CountingNote"]));

        sections.Add(new("root-causes", l["AnnualReport.RootCauses", AnnualReportRules.TopRootCauses],
            ["#", l["AnnualReport.RootCause"], y, py, l["AnnualReport.Change"]],
            c.RootCauses.Select((r, i) => (IReadOnlyList<string>)[(i + 1).ToString(Inv), Name(r.Name, r.NameEn), r.Complaints.ToString(Inv),
                r.PreviousComplaints.ToString(Inv), Change(r.Complaints, r.PreviousComplaints)]).ToList()));

        sections.Add(new("departments", l["AnnualReport.Departments"],
            [l["AnnualReport.Department"], l["AnnualReport.Complaints"], py, l["AnnualReport.ReplyOnTime"], l["AnnualReport.ContactOnTime"],
             l["AnnualReport.Escalated"], l["AnnualReport.ClosureRate"], l["AnnualReport.Repeat"], l["AnnualReport.Emergencies"],
             l["AnnualReport.EmergencyOnTime"], l["AnnualReport.ReturnVisitSatisfaction"], l["AnnualReport.ReturnVisitsUnreachable"]],
            c.Departments.Select(d => (IReadOnlyList<string>)[Name(d.Name, d.NameEn), d.Complaints.ToString(Inv), d.PreviousComplaints.ToString(Inv),
                Rate(d.ReplyOnTime), Rate(d.ContactOnTime), d.Escalated.ToString(Inv), Rate(d.ClosureRate), d.Repeat.ToString(Inv),
                d.Emergencies.ToString(Inv), Rate(d.EmergencyOnTime), Rate(d.ReturnVisitSatisfaction), d.ReturnVisitsUnreachable.ToString(Inv)]).ToList()));

        sections.Add(new("months", l["AnnualReport.Months"],
            [l["AnnualReport.Month"], l["AnnualReport.ConsultationSatisfaction"], vsTarget, l["AnnualReport.SameMonthBefore", py],
             l["AnnualReport.ReturnVisitSatisfaction"], l["AnnualReport.ReturnVisitsUnreachable"], l["AnnualReport.Complaints"]],
            c.Months.Select(m => (IReadOnlyList<string>)[m.Month, Rate(m.ConsultationSatisfaction), Verdict(l, m.ConsultationSatisfaction, target),
                Rate(m.PreviousConsultationSatisfaction), Rate(m.ReturnVisitSatisfaction), m.ReturnVisitsUnreachable.ToString(Inv), m.Complaints.ToString(Inv)]).ToList(),
            l["AnnualReport.SatisfactionTarget", RateText.Target(target)]));

        sections.Add(new("emergencies", l["AnnualReport.EmergencySection"],
            [l["AnnualReport.EmergencyKind"], y, py, l["AnnualReport.EmergencyOnTime"], l["AnnualReport.MeanArrival"]],
            c.EmergencyKinds.Select(k => (IReadOnlyList<string>)[l[$"Emergency.Kind.{k.Kind}"].Value, k.Emergencies.ToString(Inv),
                k.PreviousEmergencies.ToString(Inv), Rate(k.OnTime), Minutes(k.MeanArrivalMinutes)]).ToList()));

        sections.Add(new("analyses", l["AnnualReport.Analyses"],
            [l["AnnualReport.Period"], l["AnnualReport.Department"], l["AnnualReport.Visits"], l["AnnualReport.Satisfied"],
             l["AnnualReport.NotSatisfied"], l["AnnualReport.ReturnVisitsUnreachable"], l["AnnualReport.TopReasons"], l["AnnualReport.Analysis"]],
            c.Analyses.Select(a => (IReadOnlyList<string>)[a.Period, Name(a.DepartmentName, a.DepartmentNameEn), a.Visits.ToString(Inv),
                a.Satisfied.ToString(Inv), a.NotSatisfied.ToString(Inv), a.Unreachable.ToString(Inv), a.TopReasons, a.Analysis]).ToList()));

        sections.Add(new("plans", l["AnnualReport.Plans"],
            [l["AnnualReport.Period"], l["AnnualReport.FinalOpinion"], l["AnnualReport.DecidedPlan"], l["AnnualReport.DecidedAt"],
             l["AnnualReport.Implementation"]],
            c.Plans.Select(p => (IReadOnlyList<string>)[p.Period, p.FinalOpinion, p.DecidedPlan, Date(p.DecidedAt), Rate(p.Implementation)]).ToList()));

        sections.Add(new("actions", l["AnnualReport.Actions"],
            [l["AnnualReport.Period"], l["AnnualReport.Action"], l["AnnualReport.Department"], l["AnnualReport.DueDate"],
             l["AnnualReport.DoneAt"], l["AnnualReport.ActionState"]],
            c.Plans.SelectMany(p => p.Actions.Select(a => (IReadOnlyList<string>)[p.Period, a.Description, Name(a.DepartmentName, a.DepartmentNameEn),
                Date(a.DueDate), BusinessTime.Format(a.DoneAt, "yyyy-MM-dd"),
                l[a.DoneAt is null ? "AnnualReport.ActionOpen" : a.DoneOnTime ? "AnnualReport.ActionDone" : "AnnualReport.ActionDoneLate"].Value])).ToList()));
        return sections;
    }
}
