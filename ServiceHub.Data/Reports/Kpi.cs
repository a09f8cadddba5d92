using ServiceHub.Data.Admin;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Reports;

/// <summary>
/// The sets of records behind the KPI figures (DOMAIN.md §6). Every figure is the size of one set, and the drill-down lists exactly
/// that set: both read the same SQL predicate (<see cref="KpiSql"/>), so a figure and its list cannot drift apart.
/// </summary>
public enum KpiSet
{
    // ---- counted complaints registered in the period (verified, counted, a merged group once)
    /// <summary>All counted complaints.</summary>
    Complaints,
    /// <summary>Complaints whose reply is measured: replied, or the reply deadline (48 h, or the extension agreed) has passed.</summary>
    ReplyMeasured,
    /// <summary>First reply (handling) at or before the reply deadline in force then (48 h after registration, or the agreed extension).</summary>
    ReplyOnTime,
    /// <summary>Measured and not on time: replied late, or not replied and the deadline has passed.</summary>
    ReplyLate,
    /// <summary>Dispatched complaints whose first contact is measured: contacted, or the contact deadline has passed.</summary>
    ContactMeasured,
    /// <summary>Contacted at or before the dispatch's contact deadline (15/30/60/120 min by urgency).</summary>
    ContactOnTime,
    /// <summary>Measured and not on time.</summary>
    ContactLate,
    /// <summary>Escalated at least to level 1 (a deadline missed).</summary>
    Escalated,
    /// <summary>Highest escalation level 1 (department manager).</summary>
    EscalatedLevel1,
    /// <summary>Escalation level 2 reached (supervising vice-president).</summary>
    EscalatedLevel2,
    /// <summary>Closed.</summary>
    Closed,
    /// <summary>
    /// Repeat complaints: linked to an earlier complaint of the same customer after the week (a complaint of its own), or raised again
    /// inside the week (the repeat merged into it: the complaint counts once).
    /// </summary>
    Repeat,

    // ---- consultations received in the period (department: the one it was handed over to, else the first responder's)
    /// <summary>All consultations.</summary>
    Consultations,
    /// <summary>Consultations the customer was satisfied with.</summary>
    ConsultationsSatisfied,
    /// <summary>Consultations the customer was not satisfied with.</summary>
    ConsultationsNotSatisfied,
    /// <summary>Consultations whose satisfaction callback could not reach the customer (shown apart; the answer at the contact counts).</summary>
    ConsultationsCallbackUnreachable,

    // ---- first-class emergencies reported in the period
    /// <summary>All first-class emergencies.</summary>
    Emergencies,
    /// <summary>Arrival measured: arrived, or the 2-hour limit has passed.</summary>
    EmergencyMeasured,
    /// <summary>On site within 2 hours of the report.</summary>
    EmergencyOnTime,
    /// <summary>Measured and not on site within 2 hours.</summary>
    EmergencyLate,
}

/// <summary>What a <see cref="KpiSet"/> lists: complaints, consultations (contacts) or emergencies.</summary>
public enum KpiFamily { Complaints, Consultations, Emergencies }

/// <summary>A period [<paramref name="From"/>, <paramref name="To"/>) and an optional department (null = every department the actor may see).</summary>
public sealed record KpiQuery(DateTimeOffset From, DateTimeOffset To, int? DepartmentId = null)
{
    /// <summary>A calendar month in business time (Asia/Shanghai).</summary>
    public static KpiQuery Of(Infrastructure.Month month, int? departmentId = null) => new(month.Start, month.End, departmentId);

    /// <summary>The calendar month <paramref name="year"/>-<paramref name="month"/> in business time (Asia/Shanghai).</summary>
    public static KpiQuery Month(int year, int month, int? departmentId = null) => Of(new Infrastructure.Month(year, month), departmentId);

    /// <summary>The calendar year in business time.</summary>
    public static KpiQuery Year(int year, int? departmentId = null) =>
        new(BusinessTime.FromLocal(new DateTime(year, 1, 1)), BusinessTime.FromLocal(new DateTime(year + 1, 1, 1)), departmentId);
}

/// <summary>A rate: <see cref="Numerator"/> of <see cref="Denominator"/>; <see cref="Percent"/> is null when there is nothing to measure.</summary>
public sealed record KpiRate(int Numerator, int Denominator)
{
    /// <summary>Numerator ÷ denominator × 100, one decimal (away from zero), for display only; null when the denominator is 0.</summary>
    public decimal? Percent => Denominator == 0 ? null : Math.Round(100m * Numerator / Denominator, 1, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Whether the rate reaches <paramref name="targetPercent"/>, on the exact ratio (numerator × 100 ≥ target × denominator), never on
    /// the rounded <see cref="Percent"/>: 1,799 of 2,000 (89.95%, shown 90.0%) is below 90%. Null when there is nothing to measure.
    /// </summary>
    public bool? AtLeast(decimal targetPercent) => Denominator == 0 ? null : Numerator * 100m >= targetPercent * Denominator;
}

/// <summary>
/// The KPI figures of one period (DOMAIN.md §6). <see cref="Counts"/> holds the size of every <see cref="KpiSet"/>; the properties name them.
/// <see cref="ConsultationsApply"/> is always true (kept for compatibility: consultations are attributed to departments as in ReturnVisits.Satisfaction).
/// </summary>
public sealed record KpiFigures(IReadOnlyDictionary<KpiSet, int> Counts, bool ConsultationsApply, double? MeanArrivalMinutes, double? MaxArrivalMinutes)
{
    public int this[KpiSet set] => Counts.GetValueOrDefault(set);

    /// <summary>Counted complaints (verified, counted, merged complaints once).</summary>
    public int Complaints => this[KpiSet.Complaints];
    /// <summary>Consultation satisfaction: satisfied consultations ÷ all consultations × 100% (target ≥ 90%); satisfied = the callback's outcome, else the answer at the contact.</summary>
    public KpiRate? ConsultationSatisfaction => ConsultationsApply ? new(this[KpiSet.ConsultationsSatisfied], this[KpiSet.Consultations]) : null;
    /// <summary>Consultations whose satisfaction callback was closed as unreachable: counted neither satisfied nor dissatisfied as a callback.</summary>
    public int ConsultationCallbacksUnreachable => this[KpiSet.ConsultationsCallbackUnreachable];
    /// <summary>Replies within 48 h (or the agreed extension) ÷ complaints whose reply is measured.</summary>
    public KpiRate ReplyOnTime => new(this[KpiSet.ReplyOnTime], this[KpiSet.ReplyMeasured]);
    /// <summary>First contacts within the dispatch deadline ÷ dispatched complaints whose contact is measured.</summary>
    public KpiRate ContactOnTime => new(this[KpiSet.ContactOnTime], this[KpiSet.ContactMeasured]);
    /// <summary>Complaints escalated (level 1 or 2).</summary>
    public int Escalated => this[KpiSet.Escalated];
    /// <summary>Complaints whose highest escalation is level 1.</summary>
    public int EscalatedLevel1 => this[KpiSet.EscalatedLevel1];
    /// <summary>Complaints escalated to level 2.</summary>
    public int EscalatedLevel2 => this[KpiSet.EscalatedLevel2];
    /// <summary>Closed complaints.</summary>
    public int Closed => this[KpiSet.Closed];
    /// <summary>Closure rate: closed ÷ counted complaints.</summary>
    public KpiRate ClosureRate => new(this[KpiSet.Closed], this[KpiSet.Complaints]);
    /// <summary>Repeat complaints.</summary>
    public int Repeat => this[KpiSet.Repeat];
    /// <summary>First-class emergencies reported.</summary>
    public int Emergencies => this[KpiSet.Emergencies];
    /// <summary>On site within 2 hours ÷ emergencies whose arrival is measured.</summary>
    public KpiRate EmergencyOnTime => new(this[KpiSet.EmergencyOnTime], this[KpiSet.EmergencyMeasured]);
}

/// <summary>The figures of one month (yyyy-MM, business time) of a trend.</summary>
public sealed record KpiMonth(string Month, KpiFigures Figures);

/// <summary>
/// A drill-down: the records behind one figure. <see cref="By"/>/<see cref="Key"/> narrow to one bar of a breakdown (the key of
/// <see cref="StatisticsRow.Key"/>, null key = "not set"); <see cref="Month"/> (yyyy-MM) to one month of the trend.
/// </summary>
public sealed record KpiDrill(KpiQuery Query, KpiSet Set, StatisticsDimension? By = null, string? Key = null, string? Month = null);

/// <summary>
/// One complaint of a drill-down list. <see cref="ContactBackdated"/>: its contact time was typed more than an hour before it was logged
/// (<see cref="ContactTimeNote"/> says why) — marked in the list.
/// </summary>
public sealed record KpiComplaintItem(long Id, string SheetNo, string State, string CustomerName, string? ProjectName, string? DepartmentName,
    string? DepartmentNameEn, string Channel, string? RootCause, string? RootCauseEn, string Content, DateTimeOffset RegisteredAt, int EscalationLevel,
    DateTimeOffset? ContactedAt, DateTimeOffset? ContactLoggedAt, string? ContactTimeNote)
{
    public bool ContactBackdated => ContactedAt is { } at && ContactLoggedAt is { } logged && Complaints.ContactTime.NeedsNote(at, logged);
}

/// <summary>One consultation of a drill-down list.</summary>
public sealed record KpiConsultationItem(long Id, string RegisterNo, string CustomerName, string? ProjectName, string Channel, string Content,
    bool? Satisfied, DateTimeOffset ReceivedAt);

/// <summary>One emergency of a drill-down list; <see cref="ArrivalMinutes"/> from the event to the arrival.</summary>
public sealed record KpiEmergencyItem(int Id, string Kind, string? ProjectName, string? DepartmentName, string? DepartmentNameEn, string Location,
    DateTimeOffset ReportedAt, DateTimeOffset OnSiteDueAt, DateTimeOffset? ArrivedAt, double? ArrivalMinutes);

/// <summary>Targets of the dashboard (configuration section <c>Kpi</c>); null = no target, shown without colour.</summary>
public sealed class KpiOptions
{
    /// <summary>The manual's consultation-satisfaction target, percent (客户咨询满意率不低于 90%).</summary>
    public const decimal ManualConsultationSatisfactionTarget = 90m;

    /// <summary>
    /// Consultation satisfaction, percent (the manual: ≥ 90%). The one target of the dashboard, the return-visit satisfaction figures
    /// and the annual report; compared with <see cref="KpiRate.AtLeast"/>.
    /// </summary>
    public decimal ConsultationSatisfactionTarget { get; set; } = ManualConsultationSatisfactionTarget;
    /// <summary>Replies within 48 h, percent (the manual: every reply within 48 h).</summary>
    public decimal? ReplyOnTimeTarget { get; set; } = 100m;
    /// <summary>First contact within the dispatch deadline, percent (the manual: every contact within the deadline).</summary>
    public decimal? ContactOnTimeTarget { get; set; } = 100m;
    /// <summary>On site within 2 hours, percent (the manual: every first-class emergency).</summary>
    public decimal? EmergencyOnTimeTarget { get; set; } = 100m;
    /// <summary>Closure rate, percent; none by default.</summary>
    public decimal? ClosureRateTarget { get; set; }
    /// <summary>Most escalations a month still on target; 0 by default (an escalation is a missed deadline).</summary>
    public int? EscalationsMax { get; set; } = 0;
    /// <summary>Most repeat complaints a month still on target; none by default.</summary>
    public int? RepeatMax { get; set; }
}

/// <summary>Who sees which figures: leadership, the CS supervisor and admins every department; a department manager their own only.</summary>
public static class KpiAccess
{
    /// <summary>
    /// The department the figures are limited to for <paramref name="actor"/> asking for <paramref name="departmentId"/> (null = all):
    /// a department manager always gets their own department and is refused another one; roles without access are refused.
    /// </summary>
    public static int? Scope(Actor actor, int? departmentId)
    {
        if (actor.IsIn(Access.AllDepartments)) return departmentId;
        actor.Require(Roles.DeptManager);
        if (actor.DepartmentId is not { } own || (departmentId is { } asked && asked != own))
            throw new ForbiddenException(actor.UserName, Access.AllDepartments);
        return own;
    }
}
