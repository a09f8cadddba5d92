using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Reports;

/// <summary>
/// Produces and keeps the Annual Service Review Report (《年度服务评审报告》, DOMAIN.md §5). Every figure of complaints, consultations and
/// emergencies is a <see cref="KpiSet"/> counted with the KPI core's own predicates (<see cref="KpiSql"/>), grouped in one pass per family
/// (year, month, department, root cause, emergency kind), over the counted complaints of <see cref="Counting.ComplaintStatistics"/> (verified,
/// counted, a merged group once).
/// Each produced report is a numbered version; the table refuses changes (trigger in <c>sql/0072_annual_reports.sql</c>).
/// </summary>
public sealed class AnnualReportService(NpgsqlDataSource db, AuditLog audit, TimeProvider clock, IOptions<KpiOptions> kpi)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // ------------------------------------------------------------------------------------------------ versions

    /// <summary>Every version, newest year and version first.</summary>
    public async Task<IReadOnlyList<AnnualReportVersion>> VersionsAsync(Actor actor, int? year = null, CancellationToken ct = default)
    {
        actor.Require(Access.AnnualReports);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AnnualReportVersion>(new CommandDefinition($"""
            SELECT {VersionColumns} FROM annual_reports
            WHERE @year::int IS NULL OR year = @year ORDER BY year DESC, version DESC
            """, new { year }, cancellationToken: ct))).AsList();
    }

    /// <summary>One version with its content; the latest of the year when <paramref name="version"/> is null; null when there is none.</summary>
    public async Task<AnnualReport?> GetAsync(Actor actor, int year, int? version = null, CancellationToken ct = default)
    {
        actor.Require(Access.AnnualReports);
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(long Id, string Content)>(new CommandDefinition("""
            SELECT id, content::text FROM annual_reports
            WHERE year = @year AND (@version::int IS NULL OR version = @version) ORDER BY version DESC LIMIT 1
            """, new { year, version }, cancellationToken: ct));
        if (row.Content is null) return null;
        var v = await conn.QuerySingleAsync<AnnualReportVersion>(new CommandDefinition(
            $"SELECT {VersionColumns} FROM annual_reports WHERE id = @Id", new { row.Id }, cancellationToken: ct));
        return new AnnualReport(v, JsonSerializer.Deserialize<AnnualReportContent>(row.Content, Json)!);
    }

    private const string VersionColumns = "id, year, version, produced_at, produced_by, produced_by_name";

    /// <summary>
    /// Produces the report of <paramref name="year"/>. Without <paramref name="newVersion"/> it is idempotent: when the year already has a
    /// version, that one is returned and nothing is written (the yearly job, a repeated run, a double click). With it, the next version
    /// number is stored. <paramref name="actor"/> null = the yearly job; otherwise it must hold one of <see cref="Access.AnnualReports"/>.
    /// </summary>
    /// <paramref name="progress"/> hears each finished part of the computation and the saving (<see cref="AnnualReportProgress"/>).
    public async Task<AnnualReportProduced> ProduceAsync(Actor? actor, int year, bool newVersion = false, CancellationToken ct = default,
        IProgress<AnnualReportProgress>? progress = null)
    {
        actor?.Require(Access.AnnualReports);
        if (!AnnualReportRules.IsReportableYear(year, clock))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Year"] = new("AnnualReport.YearNotReportable", year) });

        if (!newVersion && await LatestAsync(year, ct) is { } existing) return new(existing, false);
        var content = await ComputeContentAsync(year, ct, progress);

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // One producer per year at a time: the version number and the "already produced" check are read under the lock.
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(72, @year)", new { year }, tx, cancellationToken: ct));
        if (!newVersion)
        {
            var raced = await conn.QuerySingleOrDefaultAsync<AnnualReportVersion>(new CommandDefinition(
                $"SELECT {VersionColumns} FROM annual_reports WHERE year = @year ORDER BY version DESC LIMIT 1", new { year }, tx, cancellationToken: ct));
            if (raced is not null) return new(raced, false);
        }
        var version = await conn.QuerySingleAsync<AnnualReportVersion>(new CommandDefinition($"""
            INSERT INTO annual_reports (year, version, produced_at, produced_by, produced_by_name, content)
            SELECT @year, coalesce(max(version), 0) + 1, @at, @by, @byName, @content::jsonb FROM annual_reports WHERE year = @year
            RETURNING {VersionColumns}
            """, new
        {
            year, at = clock.GetUtcNow(), by = actor is null || actor.Id == 0 ? (int?)null : actor.Id, byName = actor?.DisplayName ?? "system",
            content = JsonSerializer.Serialize(content, Json),
        }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor ?? Actor.System, AuditLog.Actions.Create, "annual_report", $"{year}/{version.Version}", "", ct);
        await tx.CommitAsync(ct);
        progress?.Report(new AnnualReportProgress(AnnualReportProgress.Steps, AnnualReportProgress.Saved));
        return new(version, true);
    }

    private async Task<AnnualReportVersion?> LatestAsync(int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<AnnualReportVersion>(new CommandDefinition(
            $"SELECT {VersionColumns} FROM annual_reports WHERE year = @year ORDER BY version DESC LIMIT 1", new { year }, cancellationToken: ct));
    }

    // ------------------------------------------------------------------------------------------------ content

    /// <summary>
    /// The content of the report of <paramref name="year"/> as the records stand now. The independent aggregates run in parallel, each on
    /// its own connection (see docs/benchmarks.md, <c>annual-report</c>).
    /// </summary>
    public async Task<AnnualReportContent> ComputeAsync(Actor actor, int year, CancellationToken ct = default)
    {
        actor.Require(Access.AnnualReports);
        return await ComputeContentAsync(year, ct);
    }

    /// <summary><paramref name="progress"/> hears each part as it finishes (<see cref="AnnualReportProgress"/>).</summary>
    private async Task<AnnualReportContent> ComputeContentAsync(int year, CancellationToken ct, IProgress<AnnualReportProgress>? progress = null)
    {
        var done = 0;
        var reporting = new Lock();
        // Each part reports when it finishes (in any order): the count of finished parts only grows, so counting and reporting are one
        // step (two parts finishing together would otherwise be heard as 2 before 1).
        async Task<T> Part<T>(Task<T> part, string name)
        {
            var result = await part;
            lock (reporting) progress?.Report(new AnnualReportProgress(++done, name));
            return result;
        }
        var now = clock.GetUtcNow();
        var current = KpiQuery.Year(year);
        var previous = KpiQuery.Year(year - 1);

        var complaints = Part(FamilyAsync(KpiFamily.Complaints, current, now, ct), "complaints");
        var complaintsBefore = Part(FamilyAsync(KpiFamily.Complaints, previous, now, ct), "complaints-before");
        var consultations = Part(FamilyAsync(KpiFamily.Consultations, current, now, ct), "consultations");
        var consultationsBefore = Part(FamilyAsync(KpiFamily.Consultations, previous, now, ct), "consultations-before");
        var emergencies = Part(FamilyAsync(KpiFamily.Emergencies, current, now, ct), "emergencies");
        var emergenciesBefore = Part(FamilyAsync(KpiFamily.Emergencies, previous, now, ct), "emergencies-before");
        var verification = Part(VerificationAsync(current, ct), "verification");
        var verificationBefore = Part(VerificationAsync(previous, ct), "verification-before");
        var visits = Part(ReturnVisitsAsync(current, ct), "return-visits");
        var visitsBefore = Part(ReturnVisitsAsync(previous, ct), "return-visits-before");
        var opinions = Part(OpinionsAsync(year, ct), "opinions");
        var departments = Part(DepartmentsAsync(ct), "departments");
        await Task.WhenAll(complaints, complaintsBefore, consultations, consultationsBefore, emergencies, emergenciesBefore,
            verification, verificationBefore, visits, visitsBefore, opinions, departments);

        AnnualTotals Totals(Grouped c, Grouped k, Grouped e, Grouped v, (int Awaiting, int NotCounted) s) =>
            ToTotals(Figures(c.Total, k.Total, e.Total), s, v.Total.Rate, v.Total.Unreachable);

        // Root causes as ComplaintStatistics breaks them down (its key: the root cause id; "not set" included), most complaints first.
        var (deptRows, causeRows) = departments.Result;
        int CauseCount(Grouped g, string key) => g.ByKey.GetValueOrDefault(key)?.Counts.GetValueOrDefault(KpiSet.Complaints) ?? 0;
        var rootCauses = complaints.Result.ByKey.Keys.Where(k => k.StartsWith("cause:", StringComparison.Ordinal))
            .Select(k => (Key: k, Id: k[6..], Count: CauseCount(complaints.Result, k)))
            .Select(x => (x.Key, Label: causeRows.GetValueOrDefault(x.Id), x.Count))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Label.Name, StringComparer.Ordinal)
            .Take(AnnualReportRules.TopRootCauses)
            .Select(x => new AnnualRootCause(x.Label.Name, x.Label.NameEn, x.Count, CauseCount(complaintsBefore.Result, x.Key)))
            .ToList();

        var deptIds = complaints.Result.ByKey.Keys.Concat(emergencies.Result.ByKey.Keys).Concat(visits.Result.ByKey.Keys)
            .Where(k => k.Length > 0 && !k.Contains(':', StringComparison.Ordinal)).Distinct();
        var departmentLines = deptIds
            .Select(id =>
            {
                var f = Figures(complaints.Result.ByKey.GetValueOrDefault(id), null, emergencies.Result.ByKey.GetValueOrDefault(id));
                var d = deptRows.GetValueOrDefault(id);
                return new AnnualDepartment(id == "-" ? null : int.Parse(id, System.Globalization.CultureInfo.InvariantCulture), d.Name, d.NameEn,
                    f.Complaints, Figures(complaintsBefore.Result.ByKey.GetValueOrDefault(id), null, null).Complaints,
                    f.ReplyOnTime, f.ContactOnTime, f.Escalated, f.ClosureRate, f.Repeat, f.Emergencies, f.EmergencyOnTime,
                    visits.Result.ByKey.GetValueOrDefault(id)?.Rate ?? new KpiRate(0, 0), visits.Result.ByKey.GetValueOrDefault(id)?.Unreachable ?? 0);
            })
            .OrderByDescending(d => d.Complaints).ThenBy(d => d.Name is null).ThenBy(d => d.Name, StringComparer.Ordinal)
            .ToList();

        var months = Enumerable.Range(1, 12).Select(m =>
        {
            var key = $"{year:0000}-{m:00}";
            var keyBefore = $"{year - 1:0000}-{m:00}";
            return new AnnualMonth(key,
                Figures(null, consultations.Result.ByMonth.GetValueOrDefault(key), null).ConsultationSatisfaction ?? new KpiRate(0, 0),
                Figures(null, consultationsBefore.Result.ByMonth.GetValueOrDefault(keyBefore), null).ConsultationSatisfaction ?? new KpiRate(0, 0),
                visits.Result.ByMonth.GetValueOrDefault(key)?.Rate ?? new KpiRate(0, 0),
                Figures(complaints.Result.ByMonth.GetValueOrDefault(key), null, null).Complaints,
                visits.Result.ByMonth.GetValueOrDefault(key)?.Unreachable ?? 0);
        }).ToList();

        var kinds = emergencies.Result.ByKey.Keys.Concat(emergenciesBefore.Result.ByKey.Keys)
            .Where(k => k.StartsWith("kind:", StringComparison.Ordinal)).Distinct()
            .Select(k =>
            {
                var g = emergencies.Result.ByKey.GetValueOrDefault(k);
                var f = Figures(null, null, g);
                return new AnnualEmergencyKind(k[5..], f.Emergencies, f.EmergencyOnTime, f.MeanArrivalMinutes,
                    Figures(null, null, emergenciesBefore.Result.ByKey.GetValueOrDefault(k)).Emergencies);
            })
            .OrderByDescending(k => k.Emergencies).ThenBy(k => k.Kind, StringComparer.Ordinal)
            .ToList();

        var (analyses, plans) = opinions.Result;
        return new AnnualReportContent(year, now,
            Totals(complaints.Result, consultations.Result, emergencies.Result, visits.Result, verification.Result),
            Totals(complaintsBefore.Result, consultationsBefore.Result, emergenciesBefore.Result, visitsBefore.Result, verificationBefore.Result),
            rootCauses, departmentLines, months, kinds, analyses, plans, kpi.Value.ConsultationSatisfactionTarget);
    }

    /// <summary>The KPI figures of one group of rows (any family may be missing).</summary>
    private static KpiFigures Figures(Group? complaints, Group? consultations, Group? emergencies)
    {
        var counts = new Dictionary<KpiSet, int>();
        foreach (var g in new[] { complaints, consultations, emergencies })
            if (g is not null) foreach (var (set, n) in g.Counts) counts[set] = n;
        return new KpiFigures(counts, true, emergencies?.MeanArrival, emergencies?.MaxArrival);
    }

    private static AnnualTotals ToTotals(KpiFigures f, (int Awaiting, int NotCounted) s, KpiRate returnVisits, int unreachable) => new(
        f.Complaints, s.Awaiting, s.NotCounted,
        f.ReplyOnTime, f.ContactOnTime, f.Escalated, f.EscalatedLevel1, f.EscalatedLevel2, f.ClosureRate, f.Repeat,
        f.ConsultationSatisfaction ?? new KpiRate(0, 0),
        f.Emergencies, f.EmergencyOnTime, f.MeanArrivalMinutes, f.MaxArrivalMinutes,
        returnVisits, unreachable);

    /// <summary>
    /// The counts of one group: every <see cref="KpiSet"/> of the family, mean and longest arrival (emergencies), a rate and the visits
    /// closed as unreachable (return visits).
    /// </summary>
    private sealed record Group(IReadOnlyDictionary<KpiSet, int> Counts, double? MeanArrival, double? MaxArrival, KpiRate Rate, int Unreachable = 0);

    /// <summary>A family's groups: the whole year, each month (yyyy-MM), each department id ("-" = none), each "cause:…" (complaints) or "kind:…" (emergencies).</summary>
    private sealed record Grouped(Group Total, IReadOnlyDictionary<string, Group> ByMonth, IReadOnlyDictionary<string, Group> ByKey);

    /// <summary>The department (and kind) column of a family; consultations belong to no department.</summary>
    private static string? DepartmentColumn(KpiFamily family) => family switch
    {
        KpiFamily.Complaints => "c.department_id",
        KpiFamily.Emergencies => "em.responsible_department_id",
        _ => null,
    };

    /// <summary>
    /// One pass over a family's base set of the period, counting every KPI set (the KPI core's predicates, <see cref="KpiSql.Predicate"/>)
    /// for the year, each month, each department and each root cause (complaints) or kind (emergencies), with GROUPING SETS.
    /// </summary>
    public static string FamilySql(KpiFamily family)
    {
        var columns = string.Join(",\n       ", Enum.GetValues<KpiSet>().Where(s => KpiSql.FamilyOf(s) == family)
            .Select(s => $"count(*) FILTER (WHERE {KpiSql.Predicate(s)})::int AS s{(int)s}"));
        var month = KpiSql.MonthKey(family);
        var dept = DepartmentColumn(family) is { } column ? $"coalesce({column}::text, '-')" : null;
        var other = family switch
        {
            KpiFamily.Emergencies => "'kind:' || em.kind",
            KpiFamily.Complaints => "'cause:' || coalesce(c.root_cause_id::text, '-')",
            _ => null,
        };
        // Emergencies (a few thousand) need GROUPING SETS for the mean and longest arrival; the others group by the finest key only
        // (counts add up; rolled up in FamilyAsync): one aggregate per set and row instead of one per set, row and grouping set.
        var sets = family == KpiFamily.Emergencies;
        string Grouped(string? e) => e is null ? "NULL::text" : sets ? $"CASE WHEN GROUPING({e}) = 0 THEN {e} END" : e;
        var groupingSets = string.Join(", ", new[] { "()", $"({month})", dept is null ? null : $"({dept})", other is null ? null : $"({other})" }.OfType<string>());
        var arrival = family == KpiFamily.Emergencies
            ? $",\n       {KpiSql.ArrivalAggregates}"
            : ",\n       NULL::float8 AS mean_arrival, NULL::float8 AS max_arrival";
        return $"""
            SELECT {Grouped(month)} AS month, {Grouped(dept)} AS dept, {Grouped(other)} AS other,
                   {columns}{arrival}
            {KpiSql.From(family)}
            {KpiSql.Where(family)}
            GROUP BY {(sets ? $"GROUPING SETS ({groupingSets})" : string.Join(", ", new[] { month, dept, other }.OfType<string>()))}
            """;
    }

    /// <summary>
    /// <see cref="FamilySql"/>'s rows read from the KPI rollups when the period is whole business months (a year always is): the complaints
    /// by month × department × root cause from <c>kpi_complaint_rollup</c> plus the pending complaints counted live
    /// (<see cref="KpiRollup.FiguresByMonthDepartmentCause"/>), the consultations by month from <c>kpi_consultation_rollup</c>; the same
    /// counts as the rows give (tests: AnnualReportTests, KpiRollupTests). Null for emergencies (a few thousand a year: read from the rows).
    /// </summary>
    public static string? FamilyFromRollupSql(KpiFamily family, KpiQuery q) => !KpiRollup.Covers(q.From, q.To) ? null : family switch
    {
        KpiFamily.Complaints => KpiRollup.FiguresByMonthDepartmentCause(),
        KpiFamily.Consultations => $"""
            SELECT f.*, NULL::text AS dept, NULL::text AS other, NULL::float8 AS mean_arrival, NULL::float8 AS max_arrival
            FROM ({KpiRollup.ConsultationFigures(byMonth: true)}) f
            """,
        _ => null,
    };

    /// <summary>Complaints of the period awaiting verification and not counted, exactly as ComplaintStatistics reports them.</summary>
    public const string VerificationSql = Counting.ComplaintStatistics.VerificationSql;

    /// <summary><see cref="VerificationSql"/> for the period: from the rollup when it is whole business months, else from the rows.</summary>
    public static string VerificationSqlOf(KpiQuery q) =>
        KpiRollup.Covers(q.From, q.To) ? Counting.ComplaintStatistics.RollupVerificationSql : VerificationSql;

    private async Task<(int, int)> VerificationAsync(KpiQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<(int, int)>(new CommandDefinition(VerificationSqlOf(q),
            new { From = q.From.ToUniversalTime(), To = q.To.ToUniversalTime(), ProjectId = (int?)null, DepartmentId = (int?)null }, cancellationToken: ct));
    }

    /// <summary>The parameters of the KPI SQL for a period (company-wide).</summary>
    public static object KpiArgs(KpiQuery q, DateTimeOffset now) => new
    {
        From = q.From.ToUniversalTime(), To = q.To.ToUniversalTime(), DepartmentId = (int?)null, ProjectId = (int?)null,
        Now = now,
    };

    private async Task<Grouped> FamilyAsync(KpiFamily family, KpiQuery q, DateTimeOffset now, CancellationToken ct)
    {
        var sets = Enum.GetValues<KpiSet>().Where(s => KpiSql.FamilyOf(s) == family).ToList();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // A year's reply facts are hashed in memory rather than spilled to disk (this transaction only).
        await conn.ExecuteAsync(new CommandDefinition("SET LOCAL work_mem = '64MB'", transaction: tx, cancellationToken: ct));
        var rows = await conn.QueryAsync(new CommandDefinition(FamilyFromRollupSql(family, q) ?? FamilySql(family), KpiArgs(q, now), tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        if (family == KpiFamily.Emergencies)
        {
            Group? total = null;
            var byMonth = new Dictionary<string, Group>();
            var byKey = new Dictionary<string, Group>();
            foreach (IDictionary<string, object?> row in rows)
            {
                var g = new Group(sets.ToDictionary(s => s, s => (int)row[$"s{(int)s}"]!), (double?)row["mean_arrival"], (double?)row["max_arrival"], new KpiRate(0, 0));
                if (row["month"] is string m) byMonth[m] = g;
                else if (row["dept"] is string d) byKey[d] = g;
                else if (row["other"] is string k) byKey[k] = g;
                else total = g;
            }
            return new Grouped(total ?? Empty, byMonth, byKey);
        }
        // Finest groups (month, department, root cause): each row adds to the year, its month, its department and its root cause.
        var sum = new Dictionary<string, Dictionary<KpiSet, int>>();
        void Add(string key, IDictionary<string, object?> row)
        {
            if (!sum.TryGetValue(key, out var c)) sum[key] = c = sets.ToDictionary(s => s, _ => 0);
            foreach (var set in sets) c[set] += (int)row[$"s{(int)set}"]!;
        }
        foreach (IDictionary<string, object?> row in rows)
        {
            Add("", row);
            Add("month:" + (string)row["month"]!, row);
            if (row["dept"] is string d) Add(d, row);
            if (row["other"] is string k) Add(k, row);
        }
        Group ToGroup(Dictionary<KpiSet, int> c) => new(c, null, null, new KpiRate(0, 0));
        return new Grouped(sum.TryGetValue("", out var all) ? ToGroup(all) : Empty,
            sum.Where(kv => kv.Key.StartsWith("month:", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[6..], kv => ToGroup(kv.Value)),
            sum.Where(kv => kv.Key.Length > 0 && !kv.Key.StartsWith("month:", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => ToGroup(kv.Value)));
    }

    private static readonly Group Empty = new(new Dictionary<KpiSet, int>(), null, null, new KpiRate(0, 0));

    /// <summary>
    /// Return visits completed in the period: satisfied ÷ all that reached the customer (the outcome recorded at the visit, as the
    /// department figures of the preliminary analysis count them), and apart those closed as unreachable (neither satisfied nor
    /// dissatisfied), for the year, each month and each department.
    /// </summary>
    public const string ReturnVisitSql = $"""
        SELECT CASE WHEN GROUPING(to_char(t.completed_at AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM')) = 0
                    THEN to_char(t.completed_at AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM') END AS month,
               CASE WHEN GROUPING(coalesce(t.department_id::text, '-')) = 0 THEN coalesce(t.department_id::text, '-') END AS dept,
               count(*) FILTER (WHERE t.outcome = 'satisfied')::int AS satisfied, count(*) FILTER (WHERE t.state = 'done')::int AS visits,
               count(*) FILTER (WHERE t.state = 'unreachable')::int AS unreachable
        FROM return_visit_tasks t
        WHERE t.state IN ('done','unreachable') AND t.completed_at >= @From AND t.completed_at < @To
        GROUP BY GROUPING SETS ((), (to_char(t.completed_at AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM')), (coalesce(t.department_id::text, '-')))
        """;

    private async Task<Grouped> ReturnVisitsAsync(KpiQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string? Month, string? Dept, int Satisfied, int Visits, int Unreachable)>(new CommandDefinition(ReturnVisitSql,
            new { From = q.From.ToUniversalTime(), To = q.To.ToUniversalTime() }, cancellationToken: ct));
        var empty = new Dictionary<KpiSet, int>();
        Group? total = null;
        var byMonth = new Dictionary<string, Group>();
        var byKey = new Dictionary<string, Group>();
        foreach (var r in rows)
        {
            var g = new Group(empty, null, null, new KpiRate(r.Satisfied, r.Visits), r.Unreachable);
            if (r.Month is { } m) byMonth[m] = g;
            else if (r.Dept is { } d) byKey[d] = g;
            else total = g;
        }
        return new Grouped(total ?? new Group(empty, null, null, new KpiRate(0, 0)), byMonth, byKey);
    }

    /// <summary>The names of the departments and of the root causes, by id.</summary>
    private async Task<(Dictionary<string, (string? Name, string? NameEn)>, Dictionary<string, (string? Name, string? NameEn)>)> DepartmentsAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        async Task<Dictionary<string, (string? Name, string? NameEn)>> Names(string table) =>
            (await conn.QueryAsync<(int Id, string Name, string NameEn)>(new CommandDefinition($"SELECT id, name, name_en FROM {table}", cancellationToken: ct)))
            .ToDictionary(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r => ((string?)r.Name, (string?)r.NameEn));
        return (await Names("departments"), await Names("root_causes"));
    }

    /// <summary>The year's department analyses and the working group's opinions, plans and actions (periods yyyy-MM of the year).</summary>
    private async Task<(IReadOnlyList<AnnualAnalysis>, IReadOnlyList<AnnualPlan>)> OpinionsAsync(int year, CancellationToken ct)
    {
        var prefix = $"{year:0000}-%";
        await using var conn = await db.OpenConnectionAsync(ct);
        var analyses = (await conn.QueryAsync<AnnualAnalysis>(new CommandDefinition("""
            SELECT a.period, d.name AS department_name, d.name_en AS department_name_en, a.visits, a.satisfied, a.not_satisfied, a.top_reasons, a.analysis,
                   a.unreachable
            FROM return_visit_analyses a JOIN departments d ON d.id = a.department_id
            WHERE a.period LIKE @prefix ORDER BY a.period, d.name
            """, new { prefix }, cancellationToken: ct))).AsList();
        var plans = (await conn.QueryAsync<(long Id, string Period, string FinalOpinion, string DecidedPlan, DateOnly? DecidedAt)>(new CommandDefinition("""
            SELECT id, period, final_opinion, decided_plan, decided_at FROM return_visit_plans WHERE period LIKE @prefix ORDER BY period
            """, new { prefix }, cancellationToken: ct))).AsList();
        var actions = (await conn.QueryAsync<(long PlanId, string Description, string? DepartmentName, string? DepartmentNameEn, DateOnly? DueDate, DateTimeOffset? DoneAt)>(
            new CommandDefinition("""
                SELECT x.plan_id, x.description, d.name, d.name_en, x.due_date, x.done_at
                FROM return_visit_plan_actions x JOIN return_visit_plans p ON p.id = x.plan_id LEFT JOIN departments d ON d.id = x.department_id
                WHERE p.period LIKE @prefix ORDER BY x.plan_id, x.id
                """, new { prefix }, cancellationToken: ct))).ToLookup(a => a.PlanId);
        return (analyses, plans.Select(p => new AnnualPlan(p.Period, p.FinalOpinion, p.DecidedPlan, p.DecidedAt,
            actions[p.Id].Select(a => new AnnualPlanAction(a.Description, a.DepartmentName, a.DepartmentNameEn, a.DueDate, a.DoneAt)).ToList())).ToList());
    }
}
