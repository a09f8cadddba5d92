using System.Globalization;
using Microsoft.Extensions.Localization;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;

namespace ServiceHub.App.Reports;

/// <summary>
/// One table of the report: a title, the column headers, the rows and the charts drawn from them (the same on the page, in the PDF and in
/// Excel).
/// </summary>
public sealed record ReportSection(string Key, string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<ReportCell>> Rows,
    string? Note = null, IReadOnlyList<ReportChart>? Charts = null)
{
    public IReadOnlyList<ReportChart> ChartList => Charts ?? [];
}

/// <summary>
/// A cell as shown (<see cref="Text"/>) and, for a spreadsheet, what it is: a <see cref="Number"/> with its Excel number format, or a
/// <see cref="Rate"/> (a percent cell with its numerator and denominator beside it). Plain text converts implicitly.
/// </summary>
public sealed record ReportCell(string Text, double? Number = null, string? Format = null, KpiRate? Rate = null)
{
    public static implicit operator ReportCell(string text) => new(text);
    public override string ToString() => Text;
}

/// <summary>A chart of a section: bars or lines over <see cref="Labels"/>, one value per label in each series (null = nothing measured).</summary>
public sealed record ReportChart(string Key, string Title, ReportChartKind Kind, IReadOnlyList<string> Labels, IReadOnlyList<ReportSeries> Series, bool Percent);

public sealed record ReportSeries(string Name, IReadOnlyList<double?> Values);

public enum ReportChartKind { Bar, Line }

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

    /// <summary>"92.5% (37/40)"; "–" when nothing was measured. In a spreadsheet: the ratio as a percent cell, numerator and denominator apart.</summary>
    public static ReportCell Rate(KpiRate r) => new(r.Percent is not null ? $"{RateText.Percent(r)} ({r.Numerator}/{r.Denominator})" : "–", Rate: r);

    /// <summary>A count: its digits, a whole-number cell.</summary>
    private static ReportCell Count(int n) => new(n.ToString(Inv), n, "0");

    /// <summary>"达标" / "未达标" against <paramref name="targetPercent"/> on the exact ratio; "–" when nothing was measured.</summary>
    private static string Verdict(IStringLocalizer l, KpiRate r, decimal targetPercent) => r.AtLeast(targetPercent) switch
    {
        true => l["AnnualReport.TargetMet"].Value,
        false => l["AnnualReport.TargetMissed"].Value,
        null => "–",
    };

    private static ReportCell Change(int now, int before) =>
        new((now - before) switch { > 0 and var d => $"+{d}", var d => d.ToString(Inv) }, now - before, "+0;-0;0");

    /// <summary>The change in percentage points between two rates; "–" unless both were measured.</summary>
    private static ReportCell Change(KpiRate now, KpiRate before) =>
        now.Percent is { } a && before.Percent is { } b
            ? new ReportCell((a - b) switch { > 0 and var d => $"+{d.ToString("0.0", Inv)}", var d => d.ToString("0.0", Inv) }, (double)(a - b), "+0.0;-0.0;0.0")
            : "–";

    private static ReportCell Minutes(double? m) =>
        m is { } v ? new ReportCell(Math.Round(v, 0, MidpointRounding.AwayFromZero).ToString("0", Inv), Math.Round(v, 0, MidpointRounding.AwayFromZero), "0") : "–";

    private static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", Inv) ?? "–";

    /// <summary>A rate per item as a chart series: the percent, or a gap where nothing was measured (not 0%).</summary>
    private static ReportSeries Series<T>(string name, IEnumerable<T> items, Func<T, KpiRate> rate) =>
        new(name, items.Select(i => rate(i).Percent is { } p ? (double?)(double)p : null).ToList());

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

        IReadOnlyList<ReportCell> Counts(string label, int a, int b) => [label, Count(a), Count(b), Change(a, b)];
        IReadOnlyList<ReportCell> Ratio(string label, KpiRate a, KpiRate b) => [label, Rate(a), Rate(b), Change(a, b)];
        sections.Add(new("totals", l["AnnualReport.Totals"], [l["AnnualReport.Measure"], y, py, l["AnnualReport.Change"]],
        [
            Counts(l["AnnualReport.Complaints"], now.Complaints, before.Complaints),
            Counts(l["AnnualReport.AwaitingVerification"], now.AwaitingVerification, before.AwaitingVerification),
            Counts(l["AnnualReport.NotCounted"], now.NotCounted, before.NotCounted),
            Ratio(l["AnnualReport.ReplyOnTime"], now.ReplyOnTime, before.ReplyOnTime),
            Ratio(l["AnnualReport.ContactOnTime"], now.ContactOnTime, before.ContactOnTime),
            Counts(l["AnnualReport.Escalated"], now.Escalated, before.Escalated),
            Counts(l["AnnualReport.EscalatedLevel2"], now.EscalatedLevel2, before.EscalatedLevel2),
            Ratio(l["AnnualReport.ClosureRate"], now.ClosureRate, before.ClosureRate),
            Counts(l["AnnualReport.Repeat"], now.Repeat, before.Repeat),
            Ratio(l["AnnualReport.ConsultationSatisfaction"], now.ConsultationSatisfaction, before.ConsultationSatisfaction),
            [vsTarget, Verdict(l, now.ConsultationSatisfaction, target), Verdict(l, before.ConsultationSatisfaction, target), "–"],
            Ratio(l["AnnualReport.ReturnVisitSatisfaction"], now.ReturnVisitSatisfaction, before.ReturnVisitSatisfaction),
            Counts(l["AnnualReport.ReturnVisitsUnreachable"], now.ReturnVisitsUnreachable, before.ReturnVisitsUnreachable),
            Counts(l["AnnualReport.Emergencies"], now.Emergencies, before.Emergencies),
            Ratio(l["AnnualReport.EmergencyOnTime"], now.EmergencyOnTime, before.EmergencyOnTime),
            [l["AnnualReport.MeanArrival"].Value, Minutes(now.MeanArrivalMinutes), Minutes(before.MeanArrivalMinutes), "–"],
            [l["AnnualReport.MaxArrival"].Value, Minutes(now.MaxArrivalMinutes), Minutes(before.MaxArrivalMinutes), "–"],
            [l["AnnualReport.PlanImplementation"].Value, Rate(c.PlanImplementation), "–", "–"],
        ], l["AnnualReport.CountingNote"]));

        sections.Add(new("root-causes", l["AnnualReport.RootCauses", AnnualReportRules.TopRootCauses],
            ["#", l["AnnualReport.RootCause"], y, py, l["AnnualReport.Change"]],
            c.RootCauses.Select((r, i) => (IReadOnlyList<ReportCell>)[Count(i + 1), Name(r.Name, r.NameEn), Count(r.Complaints),
                Count(r.PreviousComplaints), Change(r.Complaints, r.PreviousComplaints)]).ToList(),
            Charts: [new("root-causes", l["AnnualReport.ChartRootCauses"], ReportChartKind.Bar, c.RootCauses.Select(r => Name(r.Name, r.NameEn)).ToList(),
                [new(y, c.RootCauses.Select(r => (double?)r.Complaints).ToList()), new(py, c.RootCauses.Select(r => (double?)r.PreviousComplaints).ToList())],
                Percent: false)]));

        sections.Add(new("departments", l["AnnualReport.Departments"],
            [l["AnnualReport.Department"], l["AnnualReport.Complaints"], py, l["AnnualReport.ReplyOnTime"], l["AnnualReport.ContactOnTime"],
             l["AnnualReport.Escalated"], l["AnnualReport.ClosureRate"], l["AnnualReport.Repeat"], l["AnnualReport.Emergencies"],
             l["AnnualReport.EmergencyOnTime"], l["AnnualReport.ReturnVisitSatisfaction"], l["AnnualReport.ReturnVisitsUnreachable"]],
            c.Departments.Select(d => (IReadOnlyList<ReportCell>)[Name(d.Name, d.NameEn), Count(d.Complaints), Count(d.PreviousComplaints),
                Rate(d.ReplyOnTime), Rate(d.ContactOnTime), Count(d.Escalated), Rate(d.ClosureRate), Count(d.Repeat),
                Count(d.Emergencies), Rate(d.EmergencyOnTime), Rate(d.ReturnVisitSatisfaction), Count(d.ReturnVisitsUnreachable)]).ToList(),
            Charts: [new("departments", l["AnnualReport.ChartDepartments"], ReportChartKind.Bar, c.Departments.Select(d => Name(d.Name, d.NameEn)).ToList(),
                [
                    Series(l["AnnualReport.ReplyOnTime"], c.Departments, d => d.ReplyOnTime),
                    Series(l["AnnualReport.ContactOnTime"], c.Departments, d => d.ContactOnTime),
                    Series(l["AnnualReport.ClosureRate"], c.Departments, d => d.ClosureRate),
                    Series(l["AnnualReport.ReturnVisitSatisfaction"], c.Departments, d => d.ReturnVisitSatisfaction),
                ], Percent: true)]));

        sections.Add(new("months", l["AnnualReport.Months"],
            [l["AnnualReport.Month"], l["AnnualReport.ConsultationSatisfaction"], vsTarget, l["AnnualReport.SameMonthBefore", py],
             l["AnnualReport.ReturnVisitSatisfaction"], l["AnnualReport.ReturnVisitsUnreachable"], l["AnnualReport.Complaints"]],
            c.Months.Select(m => (IReadOnlyList<ReportCell>)[m.Month, Rate(m.ConsultationSatisfaction), Verdict(l, m.ConsultationSatisfaction, target),
                Rate(m.PreviousConsultationSatisfaction), Rate(m.ReturnVisitSatisfaction), Count(m.ReturnVisitsUnreachable), Count(m.Complaints)]).ToList(),
            l["AnnualReport.SatisfactionTarget", RateText.Target(target)],
            [
                new("months-satisfaction", l["AnnualReport.ChartMonthlySatisfaction"], ReportChartKind.Line, c.Months.Select(m => m.Month[5..]).ToList(),
                [
                    Series(l["AnnualReport.ConsultationSatisfaction"], c.Months, m => m.ConsultationSatisfaction),
                    Series(l["AnnualReport.SameMonthBefore", py], c.Months, m => m.PreviousConsultationSatisfaction),
                    Series(l["AnnualReport.ReturnVisitSatisfaction"], c.Months, m => m.ReturnVisitSatisfaction),
                    new(vsTarget, c.Months.Select(_ => (double?)target).ToList()),
                ], Percent: true),
                new("months-complaints", l["AnnualReport.ChartMonthlyComplaints"], ReportChartKind.Bar, c.Months.Select(m => m.Month[5..]).ToList(),
                    [new(l["AnnualReport.Complaints"], c.Months.Select(m => (double?)m.Complaints).ToList())], Percent: false),
            ]));

        sections.Add(new("emergencies", l["AnnualReport.EmergencySection"],
            [l["AnnualReport.EmergencyKind"], y, py, l["AnnualReport.EmergencyOnTime"], l["AnnualReport.MeanArrival"]],
            c.EmergencyKinds.Select(k => (IReadOnlyList<ReportCell>)[l[$"Emergency.Kind.{k.Kind}"].Value, Count(k.Emergencies),
                Count(k.PreviousEmergencies), Rate(k.OnTime), Minutes(k.MeanArrivalMinutes)]).ToList()));

        sections.Add(new("analyses", l["AnnualReport.Analyses"],
            [l["AnnualReport.Period"], l["AnnualReport.Department"], l["AnnualReport.Visits"], l["AnnualReport.Satisfied"],
             l["AnnualReport.NotSatisfied"], l["AnnualReport.ReturnVisitsUnreachable"], l["AnnualReport.TopReasons"], l["AnnualReport.Analysis"]],
            c.Analyses.Select(a => (IReadOnlyList<ReportCell>)[a.Period, Name(a.DepartmentName, a.DepartmentNameEn), Count(a.Visits),
                Count(a.Satisfied), Count(a.NotSatisfied), Count(a.Unreachable), a.TopReasons, a.Analysis]).ToList()));

        sections.Add(new("plans", l["AnnualReport.Plans"],
            [l["AnnualReport.Period"], l["AnnualReport.FinalOpinion"], l["AnnualReport.DecidedPlan"], l["AnnualReport.DecidedAt"],
             l["AnnualReport.Implementation"]],
            c.Plans.Select(p => (IReadOnlyList<ReportCell>)[p.Period, p.FinalOpinion, p.DecidedPlan, Date(p.DecidedAt), Rate(p.Implementation)]).ToList()));

        sections.Add(new("actions", l["AnnualReport.Actions"],
            [l["AnnualReport.Period"], l["AnnualReport.Action"], l["AnnualReport.Department"], l["AnnualReport.DueDate"],
             l["AnnualReport.DoneAt"], l["AnnualReport.ActionState"]],
            c.Plans.SelectMany(p => p.Actions.Select(a => (IReadOnlyList<ReportCell>)[p.Period, a.Description, Name(a.DepartmentName, a.DepartmentNameEn),
                Date(a.DueDate), BusinessTime.Format(a.DoneAt, "yyyy-MM-dd"),
                l[a.DoneAt is null ? "AnnualReport.ActionOpen" : a.DoneOnTime ? "AnnualReport.ActionDone" : "AnnualReport.ActionDoneLate"].Value])).ToList()));
        return sections;
    }
}
