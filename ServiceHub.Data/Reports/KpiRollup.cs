using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Reports;

/// <summary>
/// The complaint figures of whole months read from the rollup (<c>sql/0200_kpi_rollup.sql</c>, triggers as of <c>sql/0202_kpi_rollup_cheaper_triggers.sql</c>): <c>kpi_complaint_rollup</c> holds,
/// by business month of registration × department × project × root cause × channel, the counters of the counted complaints (a merged
/// group once), kept by triggers in the same transaction as every write, so it is never stale. What only the clock changes — a reply
/// or a first contact whose deadline has passed with no event, now measured and late — is counted live from the few pending
/// complaints (index <c>complaints_kpi_pending_idx</c>). Each figure equals <see cref="KpiSql.Predicate"/> counted over
/// <see cref="KpiSql.Where"/> (tests: KpiRollupTests).
/// </summary>
public static class KpiRollup
{
    /// <summary>Whether [<paramref name="from"/>, <paramref name="to"/>) is whole business months, which the rollup answers.</summary>
    public static bool Covers(DateTimeOffset from, DateTimeOffset to) =>
        from < to && Month.Of(from).Start == from && Month.Of(to).Start == to;

    /// <summary>The first day of the business month of <c>@From</c>/<c>@To</c> (both whole months), as the rollup's <c>month</c>.</summary>
    public const string MonthRange =
        $"k.month >= (@From AT TIME ZONE '{BusinessTime.ZoneId}')::date AND k.month < (@To AT TIME ZONE '{BusinessTime.ZoneId}')::date";

    private const string Pending = "(c.first_replied_at IS NULL OR (c.contacted_at IS NULL AND c.contact_due_at IS NOT NULL))";
    private const string ReplyOverdue = "(c.first_replied_at IS NULL AND c.reply_due_at < @Now)";
    private const string ContactOverdue = "(c.contact_due_at IS NOT NULL AND c.contacted_at IS NULL AND c.contact_due_at < @Now)";

    /// <summary>A complaint set's count from the rollup's sums and the pending complaints' live counts (<c>r</c>).</summary>
    private static string Count(KpiSet set) => set switch
    {
        KpiSet.Complaints => "r.complaints",
        KpiSet.ReplyMeasured => "r.replied + r.reply_overdue",
        KpiSet.ReplyOnTime => "r.reply_on_time",
        KpiSet.ReplyLate => "r.replied - r.reply_on_time + r.reply_overdue",
        KpiSet.ContactMeasured => "r.contacted + r.contact_overdue",
        KpiSet.ContactOnTime => "r.contact_on_time",
        KpiSet.ContactLate => "r.contacted - r.contact_on_time + r.contact_overdue",
        KpiSet.Escalated => "r.escalated",
        KpiSet.EscalatedLevel1 => "r.level1",
        KpiSet.EscalatedLevel2 => "r.level2",
        KpiSet.Closed => "r.closed",
        KpiSet.Repeat => "r.repeat",
        _ => throw new ArgumentOutOfRangeException(nameof(set), $"{set} is not a complaint figure."),
    };

    /// <summary>A consultation set's count from the sums of <c>kpi_consultation_rollup</c> (<c>k</c>, sql/0201_kpi_consultation_rollup.sql).</summary>
    private static string ConsultationCount(KpiSet set) => set switch
    {
        KpiSet.Consultations => "sum(k.consultations)",
        KpiSet.ConsultationsSatisfied => "sum(k.satisfied)",
        KpiSet.ConsultationsNotSatisfied => "sum(k.consultations - k.satisfied)",
        KpiSet.ConsultationsCallbackUnreachable => "sum(k.unreachable)",
        _ => throw new ArgumentOutOfRangeException(nameof(set), $"{set} is not a consultation figure."),
    };

    /// <summary>
    /// The consultation figures of whole months from <c>kpi_consultation_rollup</c> (by month of receipt × the consultation's department,
    /// kept by triggers on contacts, return_visit_tasks and users): the same columns as <see cref="KpiSql.Figures"/>; same parameters.
    /// </summary>
    public static string ConsultationFigures(bool byMonth)
    {
        var sets = Enum.GetValues<KpiSet>().Where(s => KpiSql.FamilyOf(s) == KpiFamily.Consultations);
        var columns = string.Join(",\n       ", sets.Select(s => $"({ConsultationCount(s)})::int AS s{(int)s}"));
        return $"""
            SELECT {(byMonth ? "to_char(k.month, 'YYYY-MM')" : "''")} AS month,
                   {columns}
            FROM kpi_consultation_rollup k
            WHERE {MonthRange} AND (@DepartmentId IS NULL OR k.department_id = @DepartmentId)
            GROUP BY 1
            HAVING sum(k.consultations) > 0
            """;
    }

    /// <summary>The figures of a family from the rollup; emergencies (a few hundred a year) are read from the rows.</summary>
    public static string FiguresOf(KpiFamily family, bool byMonth) => family switch
    {
        KpiFamily.Complaints => Figures(byMonth),
        KpiFamily.Consultations => ConsultationFigures(byMonth),
        _ => KpiSql.Figures(family, byMonth),
    };

    /// <summary>
    /// The complaint figures of whole months: the same columns as <see cref="KpiSql.Figures"/> (<c>month</c>, <c>s{set}</c>), one row,
    /// or one per month with counted complaints when <paramref name="byMonth"/>. Parameters <c>@From</c>, <c>@To</c>, <c>@DepartmentId</c>, <c>@Now</c>.
    /// </summary>
    public static string Figures(bool byMonth)
    {
        var sets = Enum.GetValues<KpiSet>().Where(s => KpiSql.FamilyOf(s) == KpiFamily.Complaints);
        var columns = string.Join(",\n       ", sets.Select(s => $"({Count(s)})::int AS s{(int)s}"));
        const string Zero = "0, 0, 0, 0, 0, 0, 0, 0, 0, 0";
        // One pass over both parts (UNION ALL, then one GROUP BY): no join for the planner to repeat per month.
        return $"""
            SELECT r.month,
                   {columns}
            FROM (
                SELECT u.month, sum(u.complaints) AS complaints, sum(u.replied) AS replied, sum(u.reply_on_time) AS reply_on_time,
                       sum(u.contacted) AS contacted, sum(u.contact_on_time) AS contact_on_time, sum(u.escalated) AS escalated,
                       sum(u.level1) AS level1, sum(u.level2) AS level2, sum(u.closed) AS closed, sum(u.repeat) AS repeat,
                       sum(u.reply_overdue) AS reply_overdue, sum(u.contact_overdue) AS contact_overdue
                FROM (
                    SELECT {(byMonth ? "to_char(k.month, 'YYYY-MM')" : "''")} AS month, k.complaints, k.replied, k.reply_on_time, k.contacted,
                           k.contact_on_time, k.escalated, k.level1, k.level2, k.closed, k.repeat, 0 AS reply_overdue, 0 AS contact_overdue
                    FROM kpi_complaint_rollup k
                    WHERE {MonthRange} AND (@DepartmentId IS NULL OR k.department_id = @DepartmentId)
                    UNION ALL
                    SELECT {(byMonth ? KpiSql.MonthKey(KpiFamily.Complaints) : "''")}, {Zero},
                           ({ReplyOverdue})::int, ({ContactOverdue})::int
                    FROM complaints c
                    WHERE c.counted AND c.merged_into_id IS NULL AND {Pending}
                      AND c.registered_at >= @From AND c.registered_at < @To AND (@DepartmentId IS NULL OR c.department_id = @DepartmentId)
                ) u
                GROUP BY u.month
                HAVING sum(u.complaints) > 0
            ) r
            """;
    }
}
