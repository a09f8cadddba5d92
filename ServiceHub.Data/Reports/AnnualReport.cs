using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Reports;

/// <summary>
/// The rules of the Annual Service Review Report (《年度服务评审报告》, DOMAIN.md §5): produced within one month after the year ends,
/// by the yearly job or on demand; who may produce and read it.
/// </summary>
public static class AnnualReportRules
{
    /// <summary>The yearly job: 5 January, 02:00 Beijing time (well inside the manual's month after the year ends).</summary>
    public const string JobCron = "0 2 5 1 *";

    /// <summary>How many root causes the report lists.</summary>
    public const int TopRootCauses = 10;

    /// <summary>The year the yearly job reports on: the business year before today's (Beijing).</summary>
    public static int LastYear(TimeProvider clock) => BusinessTime.Today(clock).Year - 1;

    /// <summary>A report can be produced for a year from 2000 up to the current business year (the current one as it stands so far).</summary>
    public static bool IsReportableYear(int year, TimeProvider clock) => year >= 2000 && year <= BusinessTime.Today(clock).Year;
}

/// <summary>The headline figures of a year. Rates come from the KPI core (<see cref="KpiFigures"/>), so they are the dashboard's figures.</summary>
public sealed record AnnualTotals(
    int Complaints, int AwaitingVerification, int NotCounted,
    KpiRate ReplyOnTime, KpiRate ContactOnTime, int Escalated, int EscalatedLevel1, int EscalatedLevel2, KpiRate ClosureRate, int Repeat,
    KpiRate ConsultationSatisfaction,
    int Emergencies, KpiRate EmergencyOnTime, double? MeanArrivalMinutes, double? MaxArrivalMinutes,
    KpiRate ReturnVisitSatisfaction, int ReturnVisitsUnreachable = 0);

/// <summary>A root cause (最终原因) of the year with its count the year before.</summary>
public sealed record AnnualRootCause(string? Name, string? NameEn, int Complaints, int PreviousComplaints);

/// <summary>
/// One department's performance in the year (complaints it was responsible for, its emergencies and return visits: satisfied ÷ reached,
/// and apart those closed as unreachable).
/// </summary>
public sealed record AnnualDepartment(int? DepartmentId, string? Name, string? NameEn, int Complaints, int PreviousComplaints,
    KpiRate ReplyOnTime, KpiRate ContactOnTime, int Escalated, KpiRate ClosureRate, int Repeat, int Emergencies, KpiRate EmergencyOnTime,
    KpiRate ReturnVisitSatisfaction, int ReturnVisitsUnreachable = 0);

/// <summary>A month (yyyy-MM) of the year: consultation satisfaction (and the same month the year before), return visits, complaints.</summary>
public sealed record AnnualMonth(string Month, KpiRate ConsultationSatisfaction, KpiRate PreviousConsultationSatisfaction,
    KpiRate ReturnVisitSatisfaction, int Complaints, int ReturnVisitsUnreachable = 0);

/// <summary>First-class emergencies of one kind: how many, on site within 2 hours, mean arrival; the count the year before.</summary>
public sealed record AnnualEmergencyKind(string Kind, int Emergencies, KpiRate OnTime, double? MeanArrivalMinutes, int PreviousEmergencies);

/// <summary>A department's preliminary analysis (初步整理) of a month of the year.</summary>
public sealed record AnnualAnalysis(string Period, string DepartmentName, string DepartmentNameEn, int Visits, int Satisfied, int NotSatisfied,
    string TopReasons, string Analysis, int Unreachable = 0);

/// <summary>An action of the working group's plan and whether it was done (by its due date).</summary>
public sealed record AnnualPlanAction(string Description, string? DepartmentName, string? DepartmentNameEn, DateOnly? DueDate, DateTimeOffset? DoneAt)
{
    public bool DoneOnTime => DoneAt is { } d && (DueDate is not { } due || DateOnly.FromDateTime(BusinessTime.ToLocal(d).DateTime) <= due);
}

/// <summary>The working group's final opinion, leadership's plan and the implementation of its actions, for a month of the year.</summary>
public sealed record AnnualPlan(string Period, string FinalOpinion, string DecidedPlan, DateOnly? DecidedAt, IReadOnlyList<AnnualPlanAction> Actions)
{
    public int Done => Actions.Count(a => a.DoneAt is not null);
    /// <summary>Actions done ÷ all actions of the plan.</summary>
    public KpiRate Implementation => new(Done, Actions.Count);
}

/// <summary>
/// The content of one version of the report, stored as a jsonb snapshot: totals and rates with the previous year beside them, top
/// root causes, department performance, return-visit opinions and the plan's implementation, emergencies and arrival, satisfaction by month.
/// <see cref="DataAsOf"/> is when the figures were read (open deadlines count as measured only once passed, as on the dashboard).
/// <see cref="ConsultationSatisfactionTarget"/> is the target configured when the version was produced (null in versions produced before
/// it was stored: those were produced against the manual's 90%).
/// </summary>
public sealed record AnnualReportContent(
    int Year, DateTimeOffset DataAsOf,
    AnnualTotals Current, AnnualTotals Previous,
    IReadOnlyList<AnnualRootCause> RootCauses,
    IReadOnlyList<AnnualDepartment> Departments,
    IReadOnlyList<AnnualMonth> Months,
    IReadOnlyList<AnnualEmergencyKind> EmergencyKinds,
    IReadOnlyList<AnnualAnalysis> Analyses,
    IReadOnlyList<AnnualPlan> Plans,
    decimal? ConsultationSatisfactionTarget = null)
{
    /// <summary>Every action of the year's plans: done ÷ all.</summary>
    public KpiRate PlanImplementation => new(Plans.Sum(p => p.Done), Plans.Sum(p => p.Actions.Count));

    /// <summary>The consultation-satisfaction target this version is read against, percent.</summary>
    public decimal SatisfactionTarget => ConsultationSatisfactionTarget ?? KpiOptions.ManualConsultationSatisfactionTarget;
}

/// <summary>One stored version (without its content).</summary>
public sealed record AnnualReportVersion(long Id, int Year, int Version, DateTimeOffset ProducedAt, int? ProducedBy, string ProducedByName);

/// <summary>One stored version with its content.</summary>
public sealed record AnnualReport(AnnualReportVersion Version, AnnualReportContent Content);

/// <summary>What a produce call did: the version now latest for the year, and whether this call created it.</summary>
public sealed record AnnualReportProduced(AnnualReportVersion Version, bool Created);
