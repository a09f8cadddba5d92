using System.Globalization;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Assessment;

/// <summary>One occurrence behind a deduction: a calendar item (late or missing) or a deduction recorded by the Enterprise Development Dept.</summary>
public sealed record DeductionOccurrence(long? ItemId, string Kind, string? Title, int Year, DateTimeOffset At, string Status, long? ManualId = null, string? Note = null);

/// <summary>A rule's deduction for a department in a period: its occurrences and the points taken (after the cap).</summary>
public sealed record DeductionLine(AssessmentRule Rule, IReadOnlyList<DeductionOccurrence> Occurrences, decimal Points)
{
    public bool Capped => Rule.Cap is { } cap && Rule.Points * Occurrences.Count > cap;
}

public sealed record DepartmentScore(int DepartmentId, string Name, string NameEn, decimal Score, string? Grade, IReadOnlyList<DeductionLine> Deductions)
{
    public string DisplayName(bool english) => english ? NameEn : Name;
}

public sealed class RuleEdit
{
    /// <summary>The longest name of a rule, Chinese or English (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int NameMax = 100;

    /// <summary>The longest code (the format allows a letter and 39 more: <c>^[A-Z][A-Z0-9_]{1,39}$</c>).</summary>
    public const int CodeMax = 40;

    /// <summary>Null: a new manual rule.</summary>
    public bool IsNew { get; set; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string NameEn { get; set; } = "";
    public decimal Points { get; set; } = 1m;
    public decimal? Cap { get; set; }
    public bool IsActive { get; set; } = true;
}

public sealed class ManualDeductionForm
{
    /// <summary>The longest note of an occurrence (CHECK in sql/0160).</summary>
    public const int NoteMax = 500;

    public string RuleCode { get; set; } = "";
    public int? DepartmentId { get; set; }
    public DateTime? OccurredOn { get; set; }
    public string Note { get; set; } = "";
}

/// <summary>
/// Department information assessment (信息考核, DOMAIN.md §6): ten points per department and period, minus each active rule's
/// deduction (points per occurrence up to its cap), floored at 0, converted to a grade by the bands. The calendar's late and
/// missing items are the occurrences of the automatic rules; manual rules count what the Enterprise Development Dept records.
/// </summary>
public sealed class InformationAssessment(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<AssessmentRule>> RulesAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AssessmentRule>(new CommandDefinition(
            "SELECT code, name, name_en, source, points, cap, is_active, sort_order FROM assessment_rules ORDER BY sort_order, code",
            cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<GradeBand>> BandsAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<GradeBand>(new CommandDefinition(
            "SELECT grade, lower_bound, upper_bound FROM assessment_grade_bands ORDER BY lower_bound DESC", cancellationToken: ct))).AsList();
    }

    /// <summary>An admin edits a rule (name, points, cap, active) or adds a manual one; the source of an existing rule never changes.</summary>
    public async Task SaveRuleAsync(Actor actor, RuleEdit edit, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var code = edit.Code.Trim().ToUpperInvariant();
        var errors = new Dictionary<string, FieldError>();
        if (!System.Text.RegularExpressions.Regex.IsMatch(code, "^[A-Z][A-Z0-9_]{1,39}$")) errors["Code"] = new FieldError("Assessment.RuleCodeFormat");
        TextInput.Check(errors, "Name", edit.Name, RuleEdit.NameMax);
        TextInput.Check(errors, "NameEn", edit.NameEn, RuleEdit.NameMax);
        if (edit.Points is <= 0 or > Scoring.FullMarks) errors["Points"] = new FieldError("Assessment.PointsRange");
        if (edit.Cap is { } cap && (cap <= 0 || cap > Scoring.FullMarks)) errors["Cap"] = new FieldError("Assessment.PointsRange");
        else if (edit.Cap is { } c && c < edit.Points) errors["Cap"] = new FieldError("Assessment.CapBelowPoints");
        if (errors.Count > 0) throw new ValidationFailedException(errors);

        var args = new { code, name = edit.Name.Trim(), nameEn = edit.NameEn.Trim(), points = edit.Points, cap = edit.Cap, active = edit.IsActive };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var n = edit.IsNew
                ? await conn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO assessment_rules (code, name, name_en, source, points, cap, is_active, sort_order)
                    VALUES (@code, @name, @nameEn, 'manual', @points, @cap, @active, (SELECT coalesce(max(sort_order), 0) + 1 FROM assessment_rules))
                    """, args, tx, cancellationToken: ct))
                : await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE assessment_rules SET name = @name, name_en = @nameEn, points = @points, cap = @cap, is_active = @active WHERE code = @code
                    """, args, tx, cancellationToken: ct));
            if (n == 0) throw new DomainException("NotFound");
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Code"] = new("Assessment.RuleCodeTaken", code) });
        }
        await audit.WriteAsync(conn, tx, actor, edit.IsNew ? AuditLog.Actions.Create : AuditLog.Actions.Update, "assessment_rule", code,
            string.Create(CultureInfo.InvariantCulture, $"points={edit.Points} cap={edit.Cap} active={edit.IsActive} {args.name}"), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>An admin replaces the grade bands; they must cover 0–10 without gap or overlap (messages at the fields).</summary>
    public async Task SaveBandsAsync(Actor actor, IReadOnlyList<GradeBandEdit> bands, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var errors = Scoring.Validate(bands);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM assessment_grade_bands", transaction: tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO assessment_grade_bands (grade, lower_bound, upper_bound) VALUES (@Grade, @LowerBound, @UpperBound)",
            bands.Select(b => new { Grade = b.Grade.Trim(), b.LowerBound, b.UpperBound }), tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "assessment_grade_bands", "all",
            string.Join("; ", bands.OrderByDescending(b => b.LowerBound).Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Grade.Trim()} [{b.LowerBound}, {b.UpperBound})"))), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The Enterprise Development Dept records an occurrence of a manual rule for a department.</summary>
    public async Task<long> RecordDeductionAsync(Actor actor, ManualDeductionForm form, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var access = await ReportingCalendar.AccessAsync(conn, actor, ct);
        if (!access.Administer) throw new ForbiddenException(actor.UserName, [.. Access.DepartmentStaff, Roles.Admin]);
        var errors = new Dictionary<string, FieldError>();
        var source = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT source FROM assessment_rules WHERE code = @RuleCode AND is_active", new { form.RuleCode }, cancellationToken: ct));
        if (source is null) errors["RuleCode"] = new FieldError("Validation.Required");
        else if (source != RuleSources.Manual) errors["RuleCode"] = new FieldError("Assessment.RuleIsAutomatic");
        if (form.DepartmentId is null) errors["DepartmentId"] = new FieldError("Validation.Required");
        if (form.OccurredOn is null) errors["OccurredOn"] = new FieldError("Validation.Required");
        else if (DateOnly.FromDateTime(form.OccurredOn.Value) > BusinessTime.Today(clock)) errors["OccurredOn"] = new FieldError("Reporting.OccurredInFuture");
        TextInput.Check(errors, "Note", form.Note, ManualDeductionForm.NoteMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);

        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO assessment_manual_deductions (rule_code, department_id, occurred_on, note, created_by, created_at)
            VALUES (@RuleCode, @DepartmentId, @on, @note, @actorId, @now) RETURNING id
            """, new { form.RuleCode, form.DepartmentId, on = DateOnly.FromDateTime(form.OccurredOn!.Value), note = form.Note.Trim(), actorId = actor.Id, now = clock.GetUtcNow() },
            tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Create, "assessment_deduction", id.ToString(CultureInfo.InvariantCulture),
            $"{form.RuleCode} dept={form.DepartmentId} {form.Note.Trim()}", ct);
        await tx.CommitAsync(ct);
        return id;
    }

    private sealed record ItemRow(long Id, int DepartmentId, string Kind, string? Title, int Year, DateTimeOffset DueAt, DateTimeOffset? SubmittedAt);
    private sealed record ManualRow(long Id, int DepartmentId, string RuleCode, DateOnly OccurredOn, string Note);
    private sealed record DeptRow(int Id, string Name, string NameEn);

    /// <summary>
    /// Each visible department's score in the period, as of now: those who read all see every active department, a department's
    /// people their own department only.
    /// </summary>
    public async Task<IReadOnlyList<DepartmentScore>> ScoresAsync(Actor actor, AssessmentPeriod period, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var access = await ReportingCalendar.AccessAsync(conn, actor, ct);
        if (!access.Any) throw new ForbiddenException(actor.UserName, [.. Access.DepartmentStaff, .. Access.EveryDepartmentsReporting]);
        int? only = access.ReadAll ? null : access.OwnDepartmentId;
        period = period.Checked();
        // The yearly items exist before anyone reads a score (the daily job creates them too).
        await ReportingCalendar.EnsureYearAsync(conn, period.Year, clock.GetUtcNow(), ct);

        var (start, end) = period.Bounds;
        var now = clock.GetUtcNow();
        var departments = (await conn.QueryAsync<DeptRow>(new CommandDefinition(
            "SELECT id, name, name_en FROM departments WHERE is_active AND (@only::int IS NULL OR id = @only) ORDER BY id",
            new { only }, cancellationToken: ct))).AsList();
        var items = (await conn.QueryAsync<ItemRow>(new CommandDefinition("""
            SELECT id, department_id, kind, title, year, due_at, submitted_at FROM report_items
            WHERE due_at >= @start AND due_at < @end AND due_at < @now AND (submitted_at IS NULL OR submitted_at > due_at)
              AND (@only::int IS NULL OR department_id = @only)
            ORDER BY due_at, id
            """, new { start, end, now, only }, cancellationToken: ct))).AsList();
        var manual = (await conn.QueryAsync<ManualRow>(new CommandDefinition("""
            SELECT id, department_id, rule_code, occurred_on, note FROM assessment_manual_deductions
            WHERE occurred_on >= @first AND occurred_on < @last AND (@only::int IS NULL OR department_id = @only)
            ORDER BY occurred_on, id
            """, new { first = period.FirstDay, last = period.EndDay, only }, cancellationToken: ct))).AsList();
        var rules = (await RulesAsync(ct)).Where(r => r.IsActive).ToList();
        var bands = await BandsAsync(ct);

        return departments.Select(d =>
        {
            var lines = new List<DeductionLine>();
            foreach (var rule in rules)
            {
                var kind = RuleSources.Kind(rule.Source);
                var occurrences = kind is not null
                    ? items.Where(i => i.DepartmentId == d.Id && i.Kind == kind)
                        .Select(i => new DeductionOccurrence(i.Id, i.Kind, i.Title, i.Year, i.DueAt, ReportStatus.Of(i.DueAt, i.SubmittedAt, now))).ToList()
                    : manual.Where(m => m.DepartmentId == d.Id && m.RuleCode == rule.Code)
                        .Select(m => new DeductionOccurrence(null, RuleSources.Manual, null, m.OccurredOn.Year,
                            BusinessTime.FromLocal(m.OccurredOn.ToDateTime(TimeOnly.MinValue)), ReportStatus.Late, m.Id, m.Note)).ToList();
                if (occurrences.Count > 0) lines.Add(new DeductionLine(rule, occurrences, Scoring.Deduction(rule, occurrences.Count)));
            }
            var score = Scoring.Total(lines.Select(l => l.Points));
            return new DepartmentScore(d.Id, d.Name, d.NameEn, score, Scoring.Grade(bands, score), lines);
        }).ToList();
    }
}
