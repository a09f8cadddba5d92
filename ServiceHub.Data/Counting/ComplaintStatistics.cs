using Dapper;
using Npgsql;

namespace ServiceHub.Data.Counting;

/// <summary>What a count is broken down by.</summary>
public enum StatisticsDimension { RootCause, RootCauseGroup, Project, Department, Channel }

/// <summary>A period [From, To) of registration times, optionally narrowed to one project or department.</summary>
public sealed record StatisticsQuery(DateTimeOffset From, DateTimeOffset To, StatisticsDimension By, int? ProjectId = null, int? DepartmentId = null);

/// <summary>One line of a breakdown. <see cref="Key"/> is the id (root cause, project, department) or the channel code; null = not set.</summary>
public sealed record StatisticsRow(string? Key, string? Label, string? LabelEn, int Complaints, int Complainants, int Times);

/// <summary>
/// The counted complaints of a period: only verified, counted complaints; a merged group counts once (its survivor), with its number of
/// complainants and times; split-off follow-ups count on their own. <see cref="AwaitingVerification"/> says how many are not yet verified.
/// </summary>
public sealed record StatisticsResult(IReadOnlyList<StatisticsRow> Rows, int Counted, int AwaitingVerification, int NotCounted)
{
    public int Complainants => Rows.Sum(r => r.Complainants);
    public int Times => Rows.Sum(r => r.Times);
}

/// <summary>The one place reports count complaints (DOMAIN.md §4 counting rules 1–5).</summary>
public sealed class ComplaintStatistics(NpgsqlDataSource db)
{
    private const string Scope = """
        c.merged_into_id IS NULL AND c.registered_at >= @From AND c.registered_at < @To
        AND (@ProjectId IS NULL OR c.project_id = @ProjectId) AND (@DepartmentId IS NULL OR c.department_id = @DepartmentId)
        """;

    /// <summary>
    /// The counted complaints of the period (verified and counted, a merged group once through its survivor), over complaints
    /// <c>c</c> with the parameters <c>@From</c>, <c>@To</c>, <c>@ProjectId</c>, <c>@DepartmentId</c>. The KPIs (Reports/KpiService)
    /// build on this same predicate.
    /// </summary>
    internal const string CountedWhere = "c.counted AND " + Scope;

    internal static (string Key, string Label, string LabelEn, string Join) Dimension(StatisticsDimension by) => by switch
    {
        StatisticsDimension.RootCause => ("r.id::text", "r.name", "r.name_en", "LEFT JOIN root_causes r ON r.id = c.root_cause_id"),
        StatisticsDimension.RootCauseGroup => ("coalesce(rp.id, r.id)::text", "coalesce(rp.name, r.name)", "coalesce(rp.name_en, r.name_en)",
            "LEFT JOIN root_causes r ON r.id = c.root_cause_id LEFT JOIN root_causes rp ON rp.id = r.parent_id"),
        StatisticsDimension.Project => ("p.id::text", "p.name", "p.name", "LEFT JOIN projects p ON p.id = c.project_id"),
        StatisticsDimension.Department => ("d.id::text", "d.name", "d.name_en", "LEFT JOIN departments d ON d.id = c.department_id"),
        StatisticsDimension.Channel => ("c.channel", "c.channel", "c.channel", ""),
        _ => throw new ArgumentOutOfRangeException(nameof(by)),
    };

    /// <summary>
    /// The breakdown, set-based: the counted complaints of the period, every voice of their groups (the survivor's and its merged
    /// complaints' own contacts and the contacts attached to them, each contact once per group; as <see cref="CountingRepository.GroupCountsSql"/>
    /// counts one group), then times and complainants per group. One pass instead of a lookup per complaint (1M complaints: see docs/benchmarks.md).
    /// </summary>
    public static string Sql(StatisticsDimension by)
    {
        var (key, label, labelEn, join) = Dimension(by);
        return $"""
            WITH counted AS MATERIALIZED (
                SELECT c.id, c.contact_id, {key} AS key, {label} AS label, {labelEn} AS label_en
                FROM complaints c
                {join}
                WHERE {CountedWhere}
            ), voices AS (
                SELECT k.id AS survivor, k.contact_id FROM counted k
                UNION
                SELECT m.merged_into_id, m.contact_id FROM complaints m
                WHERE m.merged_into_id IS NOT NULL AND m.merged_into_id IN (SELECT id FROM counted)
                UNION
                SELECT coalesce(m.merged_into_id, m.id), cc.contact_id
                FROM complaint_contacts cc JOIN complaints m ON m.id = cc.complaint_id
                WHERE coalesce(m.merged_into_id, m.id) IN (SELECT id FROM counted)
            ), g AS (
                SELECT v.survivor, count(*)::int AS times, count(DISTINCT vc.customer_id)::int AS complainants
                FROM voices v JOIN contacts vc ON vc.id = v.contact_id
                GROUP BY v.survivor
            )
            SELECT k.key, k.label, k.label_en, count(*)::int AS complaints, sum(g.complainants)::int AS complainants, sum(g.times)::int AS times
            FROM counted k JOIN g ON g.survivor = k.id
            GROUP BY 1, 2, 3
            ORDER BY complaints DESC, label
            """;
    }

    /// <summary>The period's complaints awaiting verification and not counted (a merged complaint counts with its group); same parameters.</summary>
    public const string VerificationSql = $"""
        SELECT count(*) FILTER (WHERE c.counted IS NULL)::int, count(*) FILTER (WHERE c.counted = false)::int
        FROM complaints c WHERE {Scope}
        """;

    /// <summary>
    /// The breakdown of whole business months from the KPI rollup (<c>kpi_complaint_rollup</c>, sql/0200_kpi_rollup.sql): the same rows
    /// as <see cref="Sql"/>, summed from the counters the triggers keep per month × department × project × root cause × channel
    /// (complainants and times per group are additive over groups). Same parameters.
    /// </summary>
    public static string RollupSql(StatisticsDimension by)
    {
        var (key, label, labelEn, join) = Dimension(by);
        return $"""
            SELECT {key} AS key, {label} AS label, {labelEn} AS label_en,
                   sum(c.complaints)::int AS complaints, sum(c.complainants)::int AS complainants, sum(c.times)::int AS times
            FROM kpi_complaint_rollup c
            {join}
            WHERE {RollupScope}
            GROUP BY 1, 2, 3
            HAVING sum(c.complaints) > 0
            ORDER BY complaints DESC, label
            """;
    }

    private const string RollupScope = $"""
        c.month >= (@From AT TIME ZONE '{Infrastructure.BusinessTime.ZoneId}')::date AND c.month < (@To AT TIME ZONE '{Infrastructure.BusinessTime.ZoneId}')::date
        AND (@ProjectId IS NULL OR c.project_id = @ProjectId) AND (@DepartmentId IS NULL OR c.department_id = @DepartmentId)
        """;

    /// <summary><see cref="VerificationSql"/> of whole business months, from the rollup.</summary>
    public const string RollupVerificationSql = $"""
        SELECT coalesce(sum(c.awaiting), 0)::int, coalesce(sum(c.not_counted), 0)::int FROM kpi_complaint_rollup c WHERE {RollupScope}
        """;

    /// <summary>
    /// The counts, for the dashboard's readers (<see cref="Admin.Access.Dashboard"/>): whole business months from the rollup, other
    /// periods from the rows (<see cref="CountLiveAsync"/>); the same figures either way.
    /// </summary>
    public Task<StatisticsResult> CountAsync(Infrastructure.Actor actor, StatisticsQuery q, CancellationToken ct = default) =>
        CountAsync(actor, q, live: !Reports.KpiRollup.Covers(q.From, q.To), ct);

    /// <summary>The counts read from the complaint rows themselves (the definition the rollup is tested against).</summary>
    public Task<StatisticsResult> CountLiveAsync(Infrastructure.Actor actor, StatisticsQuery q, CancellationToken ct = default) =>
        CountAsync(actor, q, live: true, ct);

    /// <summary>The counts, for the dashboard's readers (<see cref="Admin.Access.Dashboard"/>): those without every department's figures count their own department only.</summary>
    private async Task<StatisticsResult> CountAsync(Infrastructure.Actor actor, StatisticsQuery q, bool live, CancellationToken ct)
    {
        actor.Require(Admin.Access.Dashboard);
        if (!actor.IsIn(Admin.Access.AllDepartments) && (q.DepartmentId is null || q.DepartmentId != actor.DepartmentId))
            throw new Infrastructure.ForbiddenException(actor.UserName, Admin.Access.AllDepartments);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<StatisticsRow>(new CommandDefinition(live ? Sql(q.By) : RollupSql(q.By), q, cancellationToken: ct))).AsList();
        var (awaiting, notCounted) = await conn.QuerySingleAsync<(int, int)>(new CommandDefinition(live ? VerificationSql : RollupVerificationSql, q, cancellationToken: ct));
        return new StatisticsResult(rows, rows.Sum(r => r.Complaints), awaiting, notCounted);
    }
}
