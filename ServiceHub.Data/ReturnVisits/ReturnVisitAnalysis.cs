using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;

namespace ServiceHub.Data.ReturnVisits;

/// <summary>
/// A department's return-visit figures for a period, filled in for its return-visit lead: the visits that reached the customer
/// (satisfied or not) and, apart, those closed as unreachable (counted neither satisfied nor dissatisfied).
/// </summary>
public sealed record DepartmentFigures(int Visits, int Satisfied, int NotSatisfied, string TopReasons, int Unreachable = 0);

public sealed record AnalysisRow(long Id, int DepartmentId, string DepartmentName, string DepartmentNameEn, string Period, int Visits, int Satisfied, int NotSatisfied,
    string TopReasons, string Analysis, string AuthorName, DateTimeOffset SubmittedAt, int Unreachable = 0);

public sealed record PlanRow(long Id, string Period, string FinalOpinion, string DecidedPlan, DateOnly? DecidedAt, DateTimeOffset UpdatedAt);

public sealed record PlanAction(long Id, long PlanId, string Description, int? DepartmentId, string? DepartmentName, string? DepartmentNameEn, DateOnly? DueDate,
    DateTimeOffset? DoneAt, string? DoneByName);

/// <summary>
/// A month's consultation satisfaction, company-wide (<see cref="DepartmentId"/> null) or of one department. <see cref="MeetsTarget"/> is
/// decided by the repository against the one configured target, on the exact ratio. <see cref="CallbacksUnreachable"/>: sampled
/// satisfaction callbacks closed as unreachable — shown apart; such a consultation keeps the customer's answer at the contact.
/// </summary>
public sealed record SatisfactionRow(string Month, int? DepartmentId, string? DepartmentName, string? DepartmentNameEn, int Satisfied, int All, int CallbacksUnreachable = 0)
{
    /// <summary>Satisfied ÷ all consultations of the month.</summary>
    public KpiRate Rate => new(Satisfied, All);

    /// <summary>At or above the target (a month without consultations is not below it).</summary>
    public bool MeetsTarget { get; init; }
}

/// <summary>
/// Department preliminary analyses (初步整理), the return-visit working group's final opinions, leadership's plan and its actions
/// (DOMAIN.md §5), and the monthly consultation satisfaction rate (§6).
/// </summary>
public sealed class ReturnVisitAnalysisRepository(NpgsqlDataSource db, TimeProvider clock, IOptions<KpiOptions> kpi)
{
    /// <summary>Length limits of the analysis, the working group's opinion and plan, and a plan's action (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int AnalysisMax = 4000, OpinionMax = 4000, PlanMax = 4000, ActionMax = 500;


    /// <summary>The figures of a department's return visits completed in the period; top reasons are the root causes of the complaints visited.</summary>
    public async Task<DepartmentFigures> FiguresAsync(Actor actor, int departmentId, string period, bool english = false, CancellationToken ct = default)
    {
        // The readers see every department; a department's handlers and manager their own.
        actor.Require(Access.ReturnVisitAnalysis);
        if (!actor.IsIn(Access.ReturnVisitReaders) && actor.DepartmentId != departmentId) throw new ForbiddenException(actor.UserName, Access.ReturnVisitReaders);
        var month = Month.Parse(period);
        var (from, to) = (month.Start, month.End);
        await using var conn = await db.OpenConnectionAsync(ct);
        var (visits, satisfied, notSatisfied, unreachable) = await conn.QuerySingleAsync<(int, int, int, int)>(new CommandDefinition("""
            SELECT count(*) FILTER (WHERE state = 'done')::int, count(*) FILTER (WHERE outcome = 'satisfied')::int,
                   count(*) FILTER (WHERE outcome = 'not_satisfied')::int, count(*) FILTER (WHERE state = 'unreachable')::int
            FROM return_visit_tasks
            WHERE department_id = @departmentId AND state IN ('done','unreachable') AND completed_at >= @from AND completed_at < @to
            """, new { departmentId, from, to }, cancellationToken: ct));
        var reasons = await conn.QueryAsync<(string Name, int N)>(new CommandDefinition("""
            SELECT CASE WHEN @english THEN coalesce(p.name_en || ' / ', '') || r.name_en ELSE coalesce(p.name || ' / ', '') || r.name END AS name, count(*)::int AS n
            FROM return_visit_tasks t
            JOIN complaints c ON c.id = t.complaint_id
            JOIN root_causes r ON r.id = c.root_cause_id
            LEFT JOIN root_causes p ON p.id = r.parent_id
            WHERE t.department_id = @departmentId AND t.state = 'done' AND t.completed_at >= @from AND t.completed_at < @to
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3
            """, new { departmentId, from, to, english }, cancellationToken: ct));
        return new DepartmentFigures(visits, satisfied, notSatisfied, string.Join("；", reasons.Select(r => $"{r.Name} ({r.N})")), unreachable);
    }

    /// <summary>The departments whose return-visit lead is this user (the working group may write for any department).</summary>
    public async Task<IReadOnlyList<(int Id, string Name)>> DepartmentsForAsync(Actor actor, bool english = false, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(int, string)>(new CommandDefinition("""
            SELECT id, CASE WHEN @english THEN name_en ELSE name END FROM departments WHERE is_active AND (return_visit_lead_id = @id OR @all) ORDER BY id
            """, new { id = actor.Id, all = actor.IsIn(Access.Supervisor), english }, cancellationToken: ct))).AsList();
    }

    /// <summary>The department's return-visit lead submits (or revises) the preliminary analysis; the figures are taken from the records.</summary>
    public async Task SubmitAnalysisAsync(Actor actor, int departmentId, string period, string analysis, CancellationToken ct = default)
    {
        var e = new Dictionary<string, FieldError>();
        if (!Month.IsValid(period)) e["Period"] = new("Validation.Required");
        TextInput.Check(e, "Analysis", analysis, AnalysisMax);
        await using var conn = await db.OpenConnectionAsync(ct);
        var lead = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT return_visit_lead_id FROM departments WHERE id = @departmentId", new { departmentId }, cancellationToken: ct));
        if (lead != actor.Id && !actor.IsIn(Access.Supervisor)) throw new ForbiddenException(actor.UserName, ["return_visit_lead"]);
        if (e.Count > 0) throw new ValidationFailedException(e);
        var f = await FiguresAsync(Actor.System, departmentId, period, ct: ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO return_visit_analyses (department_id, period, visits, satisfied, not_satisfied, unreachable, top_reasons, analysis, author_id, submitted_at)
            VALUES (@departmentId, @period, @Visits, @Satisfied, @NotSatisfied, @Unreachable, @TopReasons, @analysis, @author, @now)
            ON CONFLICT (department_id, period) DO UPDATE SET visits = EXCLUDED.visits, satisfied = EXCLUDED.satisfied, not_satisfied = EXCLUDED.not_satisfied,
                unreachable = EXCLUDED.unreachable, top_reasons = EXCLUDED.top_reasons, analysis = EXCLUDED.analysis, author_id = EXCLUDED.author_id,
                submitted_at = EXCLUDED.submitted_at
            """, new { departmentId, period, f.Visits, f.Satisfied, f.NotSatisfied, f.Unreachable, f.TopReasons, analysis = analysis.Trim(), author = actor.Id, now = clock.GetUtcNow() },
            cancellationToken: ct));
    }

    public async Task<IReadOnlyList<AnalysisRow>> AnalysesAsync(Actor actor, string period, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitAnalysis);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AnalysisRow>(new CommandDefinition("""
            SELECT a.id, a.department_id, d.name AS department_name, d.name_en AS department_name_en, a.period, a.visits, a.satisfied, a.not_satisfied, a.top_reasons, a.analysis,
                   u.display_name AS author_name, a.submitted_at, a.unreachable
            FROM return_visit_analyses a JOIN departments d ON d.id = a.department_id JOIN users u ON u.id = a.author_id
            WHERE a.period = @period ORDER BY d.id
            """, new { period }, cancellationToken: ct))).AsList();
    }

    public async Task<PlanRow?> PlanAsync(Actor actor, string period, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitAnalysis);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PlanRow>(new CommandDefinition(
            "SELECT id, period, final_opinion, decided_plan, decided_at, updated_at FROM return_visit_plans WHERE period = @period", new { period }, cancellationToken: ct));
    }

    /// <summary>The working group records its final opinions and the plan leadership decided at the company meeting.</summary>
    public async Task<long> SavePlanAsync(Actor actor, string period, string finalOpinion, string decidedPlan, DateOnly? decidedAt, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitTeam);
        var e = new Dictionary<string, FieldError>();
        if (!Month.IsValid(period)) e["Period"] = new("Validation.Required");
        TextInput.Check(e, "FinalOpinion", finalOpinion, OpinionMax);
        TextInput.Check(e, "DecidedPlan", decidedPlan, PlanMax, required: false);
        if (!string.IsNullOrWhiteSpace(decidedPlan) && decidedAt is null) e["DecidedAt"] = new("ReturnVisit.MeetingDateRequired");
        if (e.Count > 0) throw new ValidationFailedException(e);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO return_visit_plans (period, final_opinion, decided_plan, decided_at, updated_by, updated_at)
            VALUES (@period, @finalOpinion, @decidedPlan, @decidedAt, @actorId, @now)
            ON CONFLICT (period) DO UPDATE SET final_opinion = EXCLUDED.final_opinion, decided_plan = EXCLUDED.decided_plan,
                decided_at = EXCLUDED.decided_at, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            RETURNING id
            """, new { period, finalOpinion = finalOpinion.Trim(), decidedPlan = (decidedPlan ?? "").Trim(), decidedAt, actorId = actor.Id, now = clock.GetUtcNow() },
            cancellationToken: ct));
    }

    public async Task<IReadOnlyList<PlanAction>> ActionsAsync(Actor actor, long planId, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitAnalysis);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PlanAction>(new CommandDefinition("""
            SELECT a.id, a.plan_id, a.description, a.department_id, d.name AS department_name, d.name_en AS department_name_en, a.due_date, a.done_at, u.display_name AS done_by_name
            FROM return_visit_plan_actions a LEFT JOIN departments d ON d.id = a.department_id LEFT JOIN users u ON u.id = a.done_by
            WHERE a.plan_id = @planId ORDER BY a.id
            """, new { planId }, cancellationToken: ct))).AsList();
    }

    public async Task<long> AddActionAsync(Actor actor, long planId, string description, int? departmentId, DateOnly? dueDate, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitTeam);
        var e = new Dictionary<string, FieldError>();
        TextInput.Check(e, "Description", description, ActionMax);
        if (e.Count > 0) throw new ValidationFailedException(e);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO return_visit_plan_actions (plan_id, description, department_id, due_date, created_at)
            VALUES (@planId, @description, @departmentId, @dueDate, @now) RETURNING id
            """, new { planId, description = description.Trim(), departmentId, dueDate, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    /// <summary>The working group tracks each action to done (once).</summary>
    public async Task MarkDoneAsync(Actor actor, long actionId, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitTeam);
        await using var conn = await db.OpenConnectionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE return_visit_plan_actions SET done_at = @now, done_by = @by WHERE id = @actionId AND done_at IS NULL",
            new { actionId, now = clock.GetUtcNow(), by = actor.Id }, cancellationToken: ct));
        if (n == 0) throw new DomainException("ReturnVisit.ActionAlreadyDone");
    }

    /// <summary>
    /// Monthly consultation satisfaction rate (客户咨询满意率) = satisfied ÷ all consultations of the month, for the last
    /// <paramref name="months"/> months, company-wide (DepartmentId null) and per department. A sampled satisfaction callback's
    /// outcome, when there is one, takes precedence over the opinion recorded at intake. The department of a consultation is the
    /// department it was handed to, else the first responder's. Each row is compared with the configured target on the exact ratio.
    /// </summary>
    public async Task<IReadOnlyList<SatisfactionRow>> SatisfactionAsync(Actor actor, int months = 6, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitReaders);
        var now = clock.GetUtcNow();
        var from = Month.Of(now).AddMonths(-(months - 1)).Start;
        var target = kpi.Value.ConsultationSatisfactionTarget;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<SatisfactionRow>(new CommandDefinition($"""
            WITH c AS (
                SELECT to_char(ct.received_at AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM') AS month,
                       {Satisfaction.ConsultationDepartment} AS department_id,
                       {Satisfaction.ConsultationSatisfied} AS satisfied, {Satisfaction.CallbackUnreachable} AS callback_unreachable
                FROM contacts ct
                {Satisfaction.ConsultationJoins}
                WHERE ct.kind = 'consultation' AND ct.received_at >= @from
            )
            SELECT c.month, c.department_id, d.name AS department_name, d.name_en AS department_name_en, count(*) FILTER (WHERE c.satisfied)::int AS satisfied, count(*)::int AS all,
                   count(*) FILTER (WHERE c.callback_unreachable)::int AS callbacks_unreachable
            FROM c LEFT JOIN departments d ON d.id = c.department_id
            GROUP BY GROUPING SETS ((c.month), (c.month, c.department_id, d.name, d.name_en))
            ORDER BY c.month DESC, c.department_id NULLS FIRST
            """, new { from }, cancellationToken: ct)))
            .Select(r => r with { MeetsTarget = r.Rate.AtLeast(target) ?? true }).ToList();
    }
}
