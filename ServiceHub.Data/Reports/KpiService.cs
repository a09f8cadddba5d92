using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.ReturnVisits;

namespace ServiceHub.Data.Reports;

/// <summary>
/// The SQL of the KPIs, built once: each <see cref="KpiSet"/> is a predicate over its family's base set. The figures count every
/// predicate with <c>count(*) FILTER (WHERE …)</c>; a drill-down lists the rows of the base set matching the same predicate.
/// Parameters: <c>@From</c>, <c>@To</c>, <c>@DepartmentId</c>, <c>@ProjectId</c> (always null here), <c>@Now</c>.
/// </summary>
public static class KpiSql
{
    /// <summary>The month (yyyy-MM) of a time in business time.</summary>
    private static string MonthOf(string column) => $"to_char({column} AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM')";

    // The first reply and the deadline in force then are kept on the complaint (sql/0071_kpi_first_reply.sql): 48 h after
    // registration, or the new time agreed by an extension. Not replied yet: the deadline in force now (reply_due_at).
    private const string ReplyMeasured = "(c.first_replied_at IS NOT NULL OR c.reply_due_at < @Now)";
    private const string ReplyOnTime = "(c.first_replied_at <= c.first_reply_due_at)";
    private const string ContactMeasured = "(c.contact_due_at IS NOT NULL AND (c.contacted_at IS NOT NULL OR c.contact_due_at < @Now))";
    private const string ContactOnTime = "(c.contacted_at <= c.contact_due_at)";
    // A repeat complaint: one raised after the week, counted on its own; or a complaint raised again inside the week, whose repeat was
    // merged into it (counting rule 3: counted once, the repeat one more time of the same complaint).
    private const string Repeat = """
        (c.repeat_of_complaint_id IS NOT NULL
         OR EXISTS (SELECT 1 FROM complaints r WHERE r.merged_into_id = c.id AND r.repeat_of_complaint_id IS NOT NULL))
        """;
    private const string EmergencyMeasured = "(em.arrived_at IS NOT NULL OR em.on_site_due_at < @Now)";
    private const string EmergencyOnTime = "(em.arrived_at <= em.on_site_due_at)";

    /// <summary>The family (base set) a set belongs to.</summary>
    public static KpiFamily FamilyOf(KpiSet set) => set switch
    {
        >= KpiSet.Emergencies => KpiFamily.Emergencies,
        >= KpiSet.Consultations => KpiFamily.Consultations,
        _ => KpiFamily.Complaints,
    };

    /// <summary>The predicate of a set over its family's base set (aliases: complaints <c>c</c> with their state rows <c>st</c>, contacts <c>ct</c>, emergencies <c>em</c>).</summary>
    public static string Predicate(KpiSet set) => set switch
    {
        KpiSet.Complaints or KpiSet.Consultations or KpiSet.Emergencies => "true",
        KpiSet.ReplyMeasured => ReplyMeasured,
        KpiSet.ReplyOnTime => ReplyOnTime,
        KpiSet.ReplyLate => $"({ReplyMeasured} AND NOT coalesce({ReplyOnTime}, false))",
        KpiSet.ContactMeasured => ContactMeasured,
        KpiSet.ContactOnTime => ContactOnTime,
        KpiSet.ContactLate => $"({ContactMeasured} AND NOT coalesce({ContactOnTime}, false))",
        KpiSet.Escalated => "c.escalation_level >= 1",
        KpiSet.EscalatedLevel1 => "c.escalation_level = 1",
        KpiSet.EscalatedLevel2 => "c.escalation_level >= 2",
        KpiSet.Closed => "st.state = 'closed'",
        KpiSet.Repeat => Repeat,
        KpiSet.ConsultationsSatisfied => Satisfaction.ConsultationSatisfied,
        KpiSet.ConsultationsNotSatisfied => $"NOT {Satisfaction.ConsultationSatisfied}",
        KpiSet.ConsultationsCallbackUnreachable => Satisfaction.CallbackUnreachable,
        KpiSet.EmergencyMeasured => EmergencyMeasured,
        KpiSet.EmergencyOnTime => EmergencyOnTime,
        KpiSet.EmergencyLate => $"({EmergencyMeasured} AND NOT coalesce({EmergencyOnTime}, false))",
        _ => throw new ArgumentOutOfRangeException(nameof(set)),
    };

    /// <summary>FROM of a family's base set (with the joins its predicates need: complaints with their state rows, for <see cref="KpiSet.Closed"/>).</summary>
    public static string From(KpiFamily family) => family switch
    {
        KpiFamily.Complaints => $"FROM complaints c {ComplaintSql.JoinState}",
        KpiFamily.Consultations => $"FROM contacts ct {Satisfaction.ConsultationJoins}",
        KpiFamily.Emergencies => "FROM emergencies em",
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    /// <summary>
    /// FROM of one set's records: the state rows are joined only for a set that reads the state (a month's drill-down of another
    /// complaint set counted three times as long with them: 300,000 complaints, 34 ms against 11).
    /// </summary>
    public static string From(KpiSet set) =>
        FamilyOf(set) == KpiFamily.Complaints && set != KpiSet.Closed ? "FROM complaints c" : From(FamilyOf(set));

    /// <summary>WHERE of a family's base set for the period and department. Complaints: the counted complaints of <see cref="ComplaintStatistics"/>.</summary>
    public static string Where(KpiFamily family) => family switch
    {
        KpiFamily.Complaints => $"WHERE {ComplaintStatistics.CountedWhere}",
        KpiFamily.Consultations => $"""
            WHERE ct.kind = 'consultation' AND ct.received_at >= @From AND ct.received_at < @To
              AND (@DepartmentId IS NULL OR {Satisfaction.ConsultationDepartment} = @DepartmentId)
            """,
        // An "other" event the CS supervisor judged not first-class is not one (EmergencyRepository.ConfirmAsync).
        KpiFamily.Emergencies => """
            WHERE em.reported_at >= @From AND em.reported_at < @To
              AND (@DepartmentId IS NULL OR em.responsible_department_id = @DepartmentId)
              AND em.confirmation IS DISTINCT FROM 'not_first_class'
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    /// <summary>The month (yyyy-MM, business time) a row of the family falls in.</summary>
    public static string MonthKey(KpiFamily family) => family switch
    {
        KpiFamily.Complaints => MonthOf("c.registered_at"),
        KpiFamily.Consultations => MonthOf("ct.received_at"),
        _ => MonthOf("em.reported_at"),
    };

    /// <summary>Minutes from the event (发生…后…2小时内, not from the report) to the arrival on site, of an emergency <c>em</c>.</summary>
    public const string ArrivalMinutes = "(extract(epoch FROM em.arrived_at - em.occurred_at) / 60)::float8";

    /// <summary>Mean and longest arrival in minutes from the event, over emergencies <c>em</c> (columns mean_arrival, max_arrival).</summary>
    public const string ArrivalAggregates = $"avg({ArrivalMinutes}) AS mean_arrival, max({ArrivalMinutes}) AS max_arrival";

    private static IEnumerable<KpiSet> SetsOf(KpiFamily family) => Enum.GetValues<KpiSet>().Where(s => FamilyOf(s) == family);

    /// <summary>The figures of a family: one row (or one per month when <paramref name="byMonth"/>) with a column per set, named by its number.</summary>
    public static string Figures(KpiFamily family, bool byMonth)
    {
        var columns = string.Join(",\n       ", SetsOf(family).Select(s => $"count(*) FILTER (WHERE {Predicate(s)})::int AS s{(int)s}"));
        var extra = family == KpiFamily.Emergencies ? $",\n       {ArrivalAggregates}" : "";
        return $"""
            SELECT {(byMonth ? MonthKey(family) : "''")} AS month,
                   {columns}{extra}
            {From(family)}
            {Where(family)}
            GROUP BY 1
            """;
    }

    /// <summary>The narrowing of a drill-down to one bar of a breakdown and/or one month (parameters <c>@Key</c>, <c>@Month</c>).</summary>
    public static (string Join, string Where) Narrowing(KpiFamily family, StatisticsDimension? by, bool month)
    {
        var join = "";
        var where = "";
        if (by is { } dimension)
        {
            if (family != KpiFamily.Complaints) throw new ArgumentException("Breakdowns are of complaints.", nameof(by));
            var d = ComplaintStatistics.Dimension(dimension);
            join = d.Join;
            where += $" AND ({d.Key}) IS NOT DISTINCT FROM @Key";
        }
        if (month) where += $" AND {MonthKey(family)} = @Month";
        return (join, where);
    }
}

/// <summary>
/// The KPIs of DOMAIN.md §6 for a period and an optional department, with the records behind every figure.
/// Complaints are counted as <see cref="ComplaintStatistics"/> counts them (verified, counted, a merged group once) by registration time;
/// consultations by the time received, satisfied and attributed to a department as <see cref="Satisfaction"/> defines it;
/// emergencies by the time reported, to their responsible department. Every method checks the actor with <see cref="KpiAccess.Scope"/>:
/// a department manager sees their own department only. Used by the dashboard and the annual report.
/// </summary>
public sealed class KpiService(NpgsqlDataSource db, ComplaintStatistics statistics, TimeProvider clock)
{
    private object Args(KpiQuery q, int? departmentId, string? key = null, string? month = null, int skip = 0, int take = 0) => new
    {
        From = q.From.ToUniversalTime(), To = q.To.ToUniversalTime(), DepartmentId = departmentId, ProjectId = (int?)null,
        Now = clock.GetUtcNow(), Key = key, Month = month, Skip = Search.Skip(skip), Take = Search.Take(take),
    };

    /// <summary>
    /// The KPI figures of the period <paramref name="q"/> (department: see <see cref="KpiAccess.Scope"/>). The complaint and consultation
    /// figures of whole business months come from the rollups (<see cref="KpiRollup"/>), emergencies and other periods from the rows;
    /// the same figures either way (KpiRollupTests).
    /// </summary>
    public Task<KpiFigures> FiguresAsync(Actor actor, KpiQuery q, CancellationToken ct = default) => FiguresAsync(actor, q, Rollup(q), ct);

    /// <summary><see cref="FiguresAsync(Actor, KpiQuery, CancellationToken)"/> read from the rows only (the definition the rollup is tested against).</summary>
    public Task<KpiFigures> FiguresLiveAsync(Actor actor, KpiQuery q, CancellationToken ct = default) => FiguresAsync(actor, q, rollup: false, ct);

    /// <summary>The figures of each calendar month (business time) in the period, oldest first, months without records included.</summary>
    public Task<IReadOnlyList<KpiMonth>> MonthlyAsync(Actor actor, KpiQuery q, CancellationToken ct = default) => MonthlyAsync(actor, q, Rollup(q), ct);

    /// <summary><see cref="MonthlyAsync(Actor, KpiQuery, CancellationToken)"/> read from the rows only.</summary>
    public Task<IReadOnlyList<KpiMonth>> MonthlyLiveAsync(Actor actor, KpiQuery q, CancellationToken ct = default) => MonthlyAsync(actor, q, rollup: false, ct);

    private static bool Rollup(KpiQuery q) => KpiRollup.Covers(q.From, q.To);

    private async Task<KpiFigures> FiguresAsync(Actor actor, KpiQuery q, bool rollup, CancellationToken ct)
    {
        var months = await ComputeAsync(actor, q, byMonth: false, rollup, ct);
        return months.Count == 0 ? Empty() : months[0].Figures;
    }

    private async Task<IReadOnlyList<KpiMonth>> MonthlyAsync(Actor actor, KpiQuery q, bool rollup, CancellationToken ct)
    {
        var found = (await ComputeAsync(actor, q, byMonth: true, rollup, ct)).ToDictionary(m => m.Month);
        var result = new List<KpiMonth>();
        for (var m = Infrastructure.Month.Of(q.From); m.Start < q.To; m = m.Next)
            result.Add(found.TryGetValue(m.ToString(), out var f) ? f : new KpiMonth(m.ToString(), Empty()));
        return result;
    }

    /// <summary>Counted complaints of the period broken down by a dimension (exactly <see cref="ComplaintStatistics.CountAsync"/>, scoped to the actor's department).</summary>
    public Task<StatisticsResult> BreakdownAsync(Actor actor, KpiQuery q, StatisticsDimension by, CancellationToken ct = default) =>
        statistics.CountAsync(actor, new StatisticsQuery(q.From, q.To, by, DepartmentId: KpiAccess.Scope(actor, q.DepartmentId)), ct);

    private static KpiFigures Empty() => new(new Dictionary<KpiSet, int>(), true, null, null);

    private async Task<IReadOnlyList<KpiMonth>> ComputeAsync(Actor actor, KpiQuery q, bool byMonth, bool rollup, CancellationToken ct)
    {
        var dept = KpiAccess.Scope(actor, q.DepartmentId);
        var families = Enum.GetValues<KpiFamily>();
        var counts = new Dictionary<string, Dictionary<KpiSet, int>>();
        var arrival = new Dictionary<string, (double? Mean, double? Max)>();
        await using var conn = await db.OpenConnectionAsync(ct);
        foreach (var family in families)
        {
            var sql = rollup ? KpiRollup.FiguresOf(family, byMonth) : KpiSql.Figures(family, byMonth);
            var rows = await conn.QueryAsync(new CommandDefinition(sql, Args(q, dept), cancellationToken: ct));
            foreach (IDictionary<string, object?> row in rows)
            {
                var month = (string)row["month"]!;
                if (!counts.TryGetValue(month, out var c)) counts[month] = c = new Dictionary<KpiSet, int>();
                foreach (var set in Enum.GetValues<KpiSet>().Where(s => KpiSql.FamilyOf(s) == family))
                    c[set] = (int)row[$"s{(int)set}"]!;
                if (family == KpiFamily.Emergencies) arrival[month] = ((double?)row["mean_arrival"], (double?)row["max_arrival"]);
            }
        }
        return counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new KpiMonth(kv.Key, new KpiFigures(kv.Value, true,
                arrival.GetValueOrDefault(kv.Key).Mean, arrival.GetValueOrDefault(kv.Key).Max)))
            .ToList();
    }

    private (string Sql, object Args) Drill(Actor actor, KpiDrill d, KpiFamily expected, string select, string order, int skip, int take, out string countSql)
    {
        var family = KpiSql.FamilyOf(d.Set);
        if (family != expected) throw new ArgumentException($"{d.Set} lists {family}, not {expected}.", nameof(d));
        var dept = KpiAccess.Scope(actor, d.Query.DepartmentId);
        var (join, narrow) = KpiSql.Narrowing(family, d.By, d.Month is not null);
        var body = $"{KpiSql.From(d.Set)} {join}\n{KpiSql.Where(family)} AND {KpiSql.Predicate(d.Set)}{narrow}";
        countSql = $"SELECT count(*)::int {body}";
        return ($"{select} {body} ORDER BY {order} OFFSET @Skip LIMIT @Take", Args(d.Query, dept, d.Key, d.Month, skip, take));
    }

    /// <summary>
    /// The complaints behind a complaint figure (<see cref="KpiFamily.Complaints"/> sets), newest first, server-paged;
    /// <see cref="Page{T}.Total"/> equals the figure.
    /// </summary>
    public async Task<Page<KpiComplaintItem>> ComplaintsAsync(Actor actor, KpiDrill d, int skip, int take, CancellationToken ct = default)
    {
        var (sql, args) = Drill(actor, d, KpiFamily.Complaints, """
            SELECT c.id, c.sheet_no, (SELECT s2.state FROM complaint_states s2 WHERE s2.complaint_id = c.id) AS state, (SELECT cu.name FROM customers cu WHERE cu.id = c.customer_id) AS customer_name,
                   (SELECT p2.name FROM projects p2 WHERE p2.id = c.project_id) AS project_name,
                   (SELECT d2.name FROM departments d2 WHERE d2.id = c.department_id) AS department_name,
                   (SELECT d2.name_en FROM departments d2 WHERE d2.id = c.department_id) AS department_name_en,
                   c.channel, (SELECT r2.name FROM root_causes r2 WHERE r2.id = c.root_cause_id) AS root_cause,
                   (SELECT r2.name_en FROM root_causes r2 WHERE r2.id = c.root_cause_id) AS root_cause_en,
                   c.content, c.registered_at, c.escalation_level, c.contacted_at, c.contact_logged_at, c.contact_time_note
            """, "c.registered_at DESC, c.id DESC", skip, take, out var countSql);
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<KpiComplaintItem>(new CommandDefinition(sql, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition(countSql, args, cancellationToken: ct));
        return new Page<KpiComplaintItem>(items.AsList(), total);
    }

    /// <summary>The consultations behind a consultation figure, newest first, server-paged (company-wide only).</summary>
    public async Task<Page<KpiConsultationItem>> ConsultationsAsync(Actor actor, KpiDrill d, int skip, int take, CancellationToken ct = default)
    {
        var (sql, args) = Drill(actor, d, KpiFamily.Consultations, $"""
            SELECT ct.id, ct.register_no, (SELECT cu.name FROM customers cu WHERE cu.id = ct.customer_id) AS customer_name,
                   (SELECT p2.name FROM projects p2 WHERE p2.id = ct.project_id) AS project_name, ct.channel, ct.content,
                   {Satisfaction.ConsultationSatisfied} AS satisfied, ct.received_at
            """, "ct.received_at DESC, ct.id DESC", skip, take, out var countSql);
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<KpiConsultationItem>(new CommandDefinition(sql, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition(countSql, args, cancellationToken: ct));
        return new Page<KpiConsultationItem>(items.AsList(), total);
    }

    /// <summary>The emergencies behind an emergency figure, newest first, server-paged.</summary>
    public async Task<Page<KpiEmergencyItem>> EmergenciesAsync(Actor actor, KpiDrill d, int skip, int take, CancellationToken ct = default)
    {
        var (sql, args) = Drill(actor, d, KpiFamily.Emergencies, $"""
            SELECT em.id, em.kind, (SELECT p2.name FROM projects p2 WHERE p2.id = em.project_id) AS project_name,
                   (SELECT d2.name FROM departments d2 WHERE d2.id = em.responsible_department_id) AS department_name,
                   (SELECT d2.name_en FROM departments d2 WHERE d2.id = em.responsible_department_id) AS department_name_en,
                   em.location, em.reported_at, em.on_site_due_at, em.arrived_at,
                   {KpiSql.ArrivalMinutes} AS arrival_minutes
            """, "em.reported_at DESC, em.id DESC", skip, take, out var countSql);
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<KpiEmergencyItem>(new CommandDefinition(sql, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition(countSql, args, cancellationToken: ct));
        return new Page<KpiEmergencyItem>(items.AsList(), total);
    }
}
