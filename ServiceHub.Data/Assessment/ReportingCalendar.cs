using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Assessment;

/// <summary>An item of a department's reporting calendar with its submission and where it stands now.</summary>
public sealed record ReportItem(
    long Id, int DepartmentId, string DepartmentName, string DepartmentNameEn, string Kind, int Year, string? Title,
    DateTimeOffset? OccurredAt, DateTimeOffset DueAt, DateTimeOffset? SubmittedAt, string? SubmittedByName, string? Content, string? AttachmentNote)
{
    public string Status { get; init; } = ReportStatus.Open;

    /// <summary>Length limits of what a department types (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int TitleMax = 200, ContentMax = 4000, AttachmentNoteMax = 500;

    public string DepartmentDisplayName(bool english) => english ? DepartmentNameEn : DepartmentName;
}

/// <summary>A department reports instant information (即时信息); submitted at once unless the Enterprise Development Dept only registers it as expected.</summary>
public sealed class InstantForm
{
    public int? DepartmentId { get; set; }
    public string Title { get; set; } = "";
    public DateTimeOffset? OccurredAt { get; set; }
    public string Content { get; set; } = "";
    public string? AttachmentNote { get; set; }
    /// <summary>False: the Enterprise Development Dept registers an item the department must still report.</summary>
    public bool SubmitNow { get; set; } = true;
}

public sealed class SubmissionForm
{
    public string Content { get; set; } = "";
    public string? AttachmentNote { get; set; }
}

/// <summary>
/// The reporting calendar (信息报送, DOMAIN.md §6): each department's due items and their submissions. The yearly items are created for
/// every active department (idempotently, by the daily job and on reading a year); instant information is reported as it happens.
/// </summary>
public sealed class ReportingCalendar(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public async Task<ReportingAccess> AccessAsync(Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await AccessAsync(conn, actor, ct);
    }

    internal static async Task<ReportingAccess> AccessAsync(NpgsqlConnection conn, Actor actor, CancellationToken ct)
    {
        var code = actor.DepartmentId is { } d
            ? await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT code FROM departments WHERE id = @d", new { d }, cancellationToken: ct))
            : null;
        return ReportingAccess.For(actor, code);
    }

    /// <summary>Creates the year's annual summary/plan and training outline for every active department that lacks them; returns how many were created.</summary>
    public async Task<int> EnsureYearAsync(int year, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await EnsureYearAsync(conn, year, clock.GetUtcNow(), ct);
    }

    /// <summary>Only for years from 2000 to next year: looking at a far-off year creates nothing.</summary>
    internal static async Task<int> EnsureYearAsync(NpgsqlConnection conn, int year, DateTimeOffset now, CancellationToken ct) =>
        year < 2000 || year > BusinessTime.ToLocal(now).Year + 1 ? 0 : await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO report_items (department_id, kind, year, due_at, created_at)
            SELECT d.id, k.kind, @year, k.due_at, @now
            FROM departments d CROSS JOIN unnest(@kinds, @dues) AS k(kind, due_at)
            WHERE d.is_active
            ON CONFLICT (department_id, kind, year) WHERE kind <> 'instant' DO NOTHING
            """, new
        {
            year,
            now,
            kinds = ReportKinds.Recurring.ToArray(),
            dues = ReportKinds.Recurring.Select(k => ReportKinds.RecurringDue(k, year)).ToArray(),
        }, cancellationToken: ct));

    private const string SelectItem = """
        SELECT i.id, i.department_id, d.name AS department_name, d.name_en AS department_name_en, i.kind, i.year, i.title,
               i.occurred_at, i.due_at, i.submitted_at, u.display_name AS submitted_by_name, i.content, i.attachment_note
        FROM report_items i JOIN departments d ON d.id = i.department_id LEFT JOIN users u ON u.id = i.submitted_by
        """;

    /// <summary>
    /// The items falling due in a year, of one department or (for those who read all) every department; a department's people
    /// see only their own department, anything else is refused.
    /// </summary>
    public async Task<IReadOnlyList<ReportItem>> ItemsAsync(Actor actor, int year, int? departmentId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var access = await AccessAsync(conn, actor, ct);
        if (!access.Any) throw new ForbiddenException(actor.UserName, [.. Access.DepartmentStaff, .. Access.EveryDepartmentsReporting]);
        if (departmentId is null && !access.ReadAll) departmentId = access.OwnDepartmentId;
        if (departmentId is { } dep && !access.MayRead(dep)) throw new ForbiddenException(actor.UserName, [.. Access.EveryDepartmentsReporting]);
        var period = new AssessmentPeriod(year, null).Checked().Bounds;
        await EnsureYearAsync(conn, year, clock.GetUtcNow(), ct);
        var now = clock.GetUtcNow();
        var rows = await conn.QueryAsync<ReportItem>(new CommandDefinition(SelectItem + """
             WHERE i.due_at >= @Start AND i.due_at < @End AND (@departmentId::int IS NULL OR i.department_id = @departmentId)
             ORDER BY d.id, i.due_at, i.id
            """, new { period.Start, period.End, departmentId }, cancellationToken: ct));
        return rows.Select(r => r with { Status = ReportStatus.Of(r.DueAt, r.SubmittedAt, now) }).ToList();
    }

    public async Task<int> InstantLagHoursAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT instant_lag_hours FROM reporting_settings", cancellationToken: ct));
    }

    /// <summary>An admin sets how many hours after it occurred instant information is due (applies to items reported from then on).</summary>
    public async Task SaveInstantLagHoursAsync(Actor actor, int hours, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        if (hours is < 1 or > 720) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["LagHours"] = new("Assessment.LagRange", 1, 720) });
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE reporting_settings SET instant_lag_hours = @hours, updated_by = @id, updated_at = @now",
            new { hours, id = actor.Id == 0 ? (int?)null : actor.Id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "reporting_settings", "instant_lag_hours", hours.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Instant information: a department's people report it for their department (submitted now, late if after the due time);
    /// the Enterprise Development Dept may also register it for any department, to be reported.
    /// </summary>
    public async Task<long> ReportInstantAsync(Actor actor, InstantForm form, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var access = await AccessAsync(conn, actor, ct);
        var departmentId = form.DepartmentId ?? access.OwnDepartmentId;
        var errors = new Dictionary<string, FieldError>();
        var now = clock.GetUtcNow();
        if (departmentId is null) errors["DepartmentId"] = new FieldError("Validation.Required");
        TextInput.Check(errors, "Title", form.Title, ReportItem.TitleMax);
        if (form.OccurredAt is null) errors["OccurredAt"] = new FieldError("Validation.Required");
        else if (form.OccurredAt > now) errors["OccurredAt"] = new FieldError("Reporting.OccurredInFuture");
        TextInput.Check(errors, "Content", form.Content, ReportItem.ContentMax, required: form.SubmitNow);
        TextInput.Check(errors, "AttachmentNote", form.AttachmentNote, ReportItem.AttachmentNoteMax, required: false);
        if (departmentId is { } dep && !(form.SubmitNow ? access.MaySubmit(dep) : access.Administer))
            throw new ForbiddenException(actor.UserName, [.. Access.DepartmentStaff]);
        if (errors.Count > 0) throw new ValidationFailedException(errors);

        var lag = await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT instant_lag_hours FROM reporting_settings", cancellationToken: ct));
        var due = ReportKinds.InstantDue(form.OccurredAt!.Value, lag);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO report_items (department_id, kind, year, title, occurred_at, due_at, created_by, created_at, submitted_at, submitted_by, content, attachment_note)
            VALUES (@departmentId, 'instant', @year, @title, @occurredAt, @due, @actorId, @now,
                    CASE WHEN @submit THEN @now END, CASE WHEN @submit THEN @actorId END, @content, @attachment)
            RETURNING id
            """, new
        {
            departmentId,
            year = BusinessTime.ToLocal(due).Year,
            title = form.Title.Trim(),
            occurredAt = form.OccurredAt,
            due,
            actorId = actor.Id == 0 ? (int?)null : actor.Id,
            now,
            submit = form.SubmitNow,
            content = string.IsNullOrWhiteSpace(form.Content) ? null : form.Content.Trim(),
            attachment = string.IsNullOrWhiteSpace(form.AttachmentNote) ? null : form.AttachmentNote.Trim(),
        }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, form.SubmitNow ? "report-submitted" : AuditLog.Actions.Create, "report_item", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"instant dept={departmentId} due={due:O} {form.Title.Trim()}", ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Submits a due item for the department (its own people, or the Enterprise Development Dept on its behalf); once only.</summary>
    public async Task SubmitAsync(Actor actor, long itemId, SubmissionForm form, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var access = await AccessAsync(conn, actor, ct);
        var departmentId = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT department_id FROM report_items WHERE id = @itemId", new { itemId }, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        if (!access.MaySubmit(departmentId)) throw new ForbiddenException(actor.UserName, [.. Access.DepartmentStaff]);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Content", form.Content, ReportItem.ContentMax);
        TextInput.Check(errors, "AttachmentNote", form.AttachmentNote, ReportItem.AttachmentNoteMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);

        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE report_items SET submitted_at = @now, submitted_by = @actorId, content = @content, attachment_note = @attachment
            WHERE id = @itemId AND submitted_at IS NULL
            """, new
        {
            itemId, now, actorId = actor.Id == 0 ? (int?)null : actor.Id, content = form.Content.Trim(),
            attachment = string.IsNullOrWhiteSpace(form.AttachmentNote) ? null : form.AttachmentNote.Trim(),
        }, tx, cancellationToken: ct));
        if (n == 0) throw new DomainException("Reporting.AlreadySubmitted");
        await audit.WriteAsync(conn, tx, actor, "report-submitted", "report_item", itemId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"dept={departmentId}", ct);
        await tx.CommitAsync(ct);
    }
}
