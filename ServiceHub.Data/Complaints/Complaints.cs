using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Data.Complaints;

public sealed record ComplaintDetail(
    long Id, string SheetNo, long ContactId, string RegisterNo, int CustomerId, string CustomerName, int? ProjectId, string? ProjectName, string? Address,
    string Channel, string Content, string State, int? UrgencyMinutes, int? DepartmentId, string? DepartmentName,
    int? HandlerId, string? HandlerName, int RegisteredBy, string RegisteredByName, DateTimeOffset RegisteredAt,
    DateTimeOffset? DispatchedAt, DateTimeOffset? ContactDueAt, DateTimeOffset? ContactedAt, string? ContactMethod,
    DateTimeOffset ReplyDueAt, string? Resolution, string? Reply, string[] ReplyForbiddenPhrases, DateTimeOffset? HandledAt,
    bool NeedsReturnVisit, DateTimeOffset? ClosedAt, string? CloseReason, int EscalationLevel, DateTimeOffset? CurrentDueAt, string? MergedIntoSheetNo);

public sealed record ComplaintEvent(long Id, DateTimeOffset At, string ActorName, string Kind, string Details, DateTimeOffset? DeadlineBefore, DateTimeOffset? DeadlineAfter);

public sealed record QueueItem(
    long Id, string SheetNo, string State, string CustomerName, string? ProjectName, string Content, int? UrgencyMinutes,
    DateTimeOffset RegisteredAt, DateTimeOffset? ContactDueAt, DateTimeOffset ReplyDueAt, DateTimeOffset? CurrentDueAt, int EscalationLevel, string? HandlerName);

public sealed record QueueFilter(int DepartmentId, int? ProjectId = null, int? UrgencyMinutes = null, string? State = null);

public sealed record EscalationItem(long ComplaintId, string SheetNo, string Kind, string Stage, DateTimeOffset DueAt, DateTimeOffset At, string State, string CustomerName);

/// <summary>The complaint lifecycle (DOMAIN.md §4): dispatch, contact, progress, handling, extension, transfer; every step an event.</summary>
public sealed class ComplaintRepository(NpgsqlDataSource db, TimeProvider clock, IOptions<ComplaintOptions> options)
{
    public static class Events
    {
        public const string Registered = "registered";
        public const string Dispatched = "dispatched";
        public const string Contacted = "contacted";
        public const string Note = "note";
        public const string Handled = "handled";
        public const string Extended = "extended";
        public const string Transferred = "transferred";
        public const string Reopened = "reopened";
    }

    private ComplaintOptions Options => options.Value;

    private static Task AddEventAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, DateTimeOffset at, Actor actor, string kind,
        string details, DateTimeOffset? before, DateTimeOffset? after, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complaint_events (complaint_id, at, actor_id, actor_name, kind, details, deadline_before, deadline_after)
            VALUES (@complaintId, @at, @actorId, @actorName, @kind, @details, @before, @after)
            """, new { complaintId, at, actorId = actor.Id == 0 ? (int?)null : actor.Id, actorName = actor.DisplayName, kind, details, before, after }, tx, cancellationToken: ct));

    /// <summary>The sheet number of the complaint <c>c</c> was merged into (null when not merged).</summary>
    private const string MergedIntoSheetNo = "(SELECT h.sheet_no FROM complaints h WHERE h.id = c.merged_into_id)";

    private const string RefreshCurrentDue = """
        UPDATE complaints c SET current_due_at = (SELECT min(d.due_at) FROM complaint_deadlines d WHERE d.complaint_id = c.id AND d.active)
        WHERE c.id = @id
        """;

    /// <summary>A deadline row with its warning and level-2 times; replaces the previous deadline of the same kind.</summary>
    private async Task SetDeadlineAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, string kind, DateTimeOffset start,
        DateTimeOffset due, int level2AfterMinutes, DateTimeOffset now, CancellationToken ct)
    {
        var warn = Deadlines.WarnAt(start, due, Options.WarnShare);
        var level2 = Deadlines.Level2At(due, level2AfterMinutes);
        var stage = now >= warn ? "warned" : "pending";
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complaint_deadlines (complaint_id, kind, starts_at, due_at, warn_at, level2_at, stage, next_at, active)
            VALUES (@complaintId, @kind, @start, @due, @warn, @level2, @stage, CASE WHEN @stage = 'pending' THEN @warn ELSE @due END, true)
            ON CONFLICT (complaint_id, kind) DO UPDATE SET starts_at = EXCLUDED.starts_at, due_at = EXCLUDED.due_at, warn_at = EXCLUDED.warn_at,
                level2_at = EXCLUDED.level2_at, stage = EXCLUDED.stage, next_at = EXCLUDED.next_at, active = true
            """, new { complaintId, kind, start, due, warn, level2, stage }, tx, cancellationToken: ct));
    }

    private static Task DeactivateDeadlinesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, string? kind, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaint_deadlines SET active = false, next_at = NULL WHERE complaint_id = @complaintId AND (@kind IS NULL OR kind = @kind)",
            new { complaintId, kind }, tx, cancellationToken: ct));

    internal async Task<long> CreateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long contactId, string sheetNo, int customerId,
        int? projectId, int? unitId, string channel, string content, bool needsReturnVisit, DateTimeOffset now, CancellationToken ct)
    {
        var replyDue = Deadlines.ReplyDue(now);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO complaints (sheet_no, contact_id, customer_id, project_id, unit_id, channel, content, state, registered_by, registered_at,
                                    reply_due_at, needs_return_visit, current_due_at, updated_at)
            VALUES (@sheetNo, @contactId, @customerId, @projectId, @unitId, @channel, @content, 'registered', @actorId, @now,
                    @replyDue, @needsReturnVisit, @replyDue, @now)
            RETURNING id
            """, new { sheetNo, contactId, customerId, projectId, unitId, channel, content, actorId = actor.Id, now, replyDue, needsReturnVisit }, tx, cancellationToken: ct));
        await SetDeadlineAsync(conn, tx, id, "reply", now, replyDue, 120, now, ct);
        await AddEventAsync(conn, tx, id, now, actor, Events.Registered, sheetNo, null, replyDue, ct);
        return id;
    }

    /// <summary>The department handler, its manager, or the CS supervisor may act on a department's complaint.</summary>
    private static void RequireDepartmentActor(Actor actor, int? departmentId)
    {
        if (actor.IsIn(Roles.CsSupervisor, Roles.Admin)) return;
        if (actor.IsIn(Roles.Handler, Roles.DeptManager) && departmentId is not null && actor.DepartmentId == departmentId) return;
        throw new ForbiddenException(actor.UserName, [Roles.Handler, Roles.DeptManager]);
    }

    private async Task<(string State, int? DepartmentId)> StateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<(string State, int? DepartmentId, string? MergedInto)?>(new CommandDefinition(
            $"SELECT state, department_id, {MergedIntoSheetNo} FROM complaints c WHERE id = @id FOR UPDATE",
            new { id }, tx, cancellationToken: ct));
        if (row is not { } r) throw new DomainException("NotFound");
        // A merged complaint is handled through the complaint it was merged into.
        if (r.MergedInto is not null) throw new DomainException("Complaint.MergedInto", r.MergedInto);
        return (r.State, r.DepartmentId);
    }

    private static void RequireState(string actual, params string[] expected)
    {
        if (!expected.Contains(actual)) throw new DomainException("Complaint.WrongState", "State." + actual);
    }

    public async Task DispatchAsync(Actor actor, long id, int? departmentId, int? urgencyMinutes, CancellationToken ct = default)
    {
        actor.Require(IntakeRepository.IntakeRoles);
        var errors = new Dictionary<string, FieldError>();
        if (departmentId is null) errors["DepartmentId"] = new("Complaint.DepartmentRequired");
        if (urgencyMinutes is not { } u || !Urgency.IsValid(u)) errors["UrgencyMinutes"] = new("Complaint.UrgencyRequired");
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await DispatchAsync(conn, tx, actor, id, departmentId!.Value, urgencyMinutes!.Value, ct);
        await tx.CommitAsync(ct);
    }

    internal async Task DispatchAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, int departmentId, int urgencyMinutes, CancellationToken ct)
    {
        var (state, _) = await StateAsync(conn, tx, id, ct);
        RequireState(state, ComplaintStates.Registered);
        var active = await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT is_active FROM departments WHERE id = @departmentId", new { departmentId }, tx, cancellationToken: ct));
        if (active != true) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["DepartmentId"] = new("Complaint.DepartmentRequired") });
        var now = clock.GetUtcNow();
        var contactDue = Deadlines.ContactDue(now, urgencyMinutes);
        var replyDue = await conn.ExecuteScalarAsync<DateTimeOffset>(new CommandDefinition("""
            UPDATE complaints SET state = 'dispatched', department_id = @departmentId, urgency_minutes = @urgencyMinutes,
                dispatched_at = @now, contact_due_at = @contactDue, updated_at = @now
            WHERE id = @id AND state = 'registered'
            RETURNING reply_due_at
            """, new { id, departmentId, urgencyMinutes, now, contactDue }, tx, cancellationToken: ct));
        await SetDeadlineAsync(conn, tx, id, "contact", now, contactDue, urgencyMinutes, now, ct);
        // The reply deadline's level 2 comes one contact interval after it.
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaint_deadlines SET level2_at = due_at + make_interval(mins => @urgencyMinutes) WHERE complaint_id = @id AND kind = 'reply'",
            new { id, urgencyMinutes }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(RefreshCurrentDue, new { id }, tx, cancellationToken: ct));
        var deptName = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT name FROM departments WHERE id = @departmentId", new { departmentId }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, Events.Dispatched, deptName ?? "", null, contactDue, ct);

        var recipients = await conn.QueryAsync<int>(new CommandDefinition("""
            SELECT id FROM users WHERE is_active AND department_id = @departmentId AND ('handler' = ANY (roles) OR 'dept_manager' = ANY (roles))
            """, new { departmentId }, tx, cancellationToken: ct));
        var sheetNo = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT sheet_no FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
        await NotificationRepository.NotifyAsync(conn, tx, recipients, now, "complaint", id, "Notify.Dispatched", [sheetNo!, urgencyMinutes.ToString()],
            $"/complaints/{id}", $"dispatch:{id}", ct);
    }

    public async Task ConfirmContactAsync(Actor actor, long id, DateTimeOffset contactedAt, string method, CancellationToken ct = default)
    {
        contactedAt = contactedAt.ToUniversalTime();
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, FieldError>();
        if (string.IsNullOrWhiteSpace(method)) errors["Method"] = new("Validation.Required");
        if (contactedAt > now.AddMinutes(1)) errors["ContactedAt"] = new("Complaint.ContactInFuture");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (state, dept) = await StateAsync(conn, tx, id, ct);
        RequireDepartmentActor(actor, dept);
        RequireState(state, ComplaintStates.Dispatched);
        var dispatchedAt = await conn.ExecuteScalarAsync<DateTimeOffset>(new CommandDefinition("SELECT dispatched_at FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
        if (contactedAt < dispatchedAt.AddMinutes(-1)) errors["ContactedAt"] = new("Complaint.ContactBeforeDispatch");
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaints SET state = 'contacted', contacted_at = @contactedAt, contact_method = @method,
                handler_id = coalesce(handler_id, @actorId), updated_at = @now
            WHERE id = @id AND state = 'dispatched'
            """, new { id, contactedAt, method = method.Trim(), actorId = actor.IsIn(Roles.Handler) ? actor.Id : (int?)null, now }, tx, cancellationToken: ct));
        await DeactivateDeadlinesAsync(conn, tx, id, "contact", ct);
        await conn.ExecuteAsync(new CommandDefinition(RefreshCurrentDue, new { id }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, Events.Contacted, $"{BusinessTime.Format(contactedAt)} · {method.Trim()}", null, null, ct);
        await tx.CommitAsync(ct);
    }

    public async Task AddNoteAsync(Actor actor, long id, string note, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(note)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Note"] = new("Validation.Required") });
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (state, dept) = await StateAsync(conn, tx, id, ct);
        RequireDepartmentActor(actor, dept);
        RequireState(state, ComplaintStates.Dispatched, ComplaintStates.Contacted);
        await AddEventAsync(conn, tx, id, clock.GetUtcNow(), actor, Events.Note, note.Trim(), null, null, ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE complaints SET updated_at = @now WHERE id = @id", new { id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>The resolution and the reply to the customer: the complaint is handled and its deadlines stop.</summary>
    public async Task HandleAsync(Actor actor, long id, string resolution, string reply, bool acceptForbiddenPhrases, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        if (string.IsNullOrWhiteSpace(resolution)) errors["Resolution"] = new("Validation.Required");
        if (string.IsNullOrWhiteSpace(reply)) errors["Reply"] = new("Validation.Required");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var phrases = await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT text FROM service_phrases WHERE kind = 'forbidden' AND is_active", transaction: tx, cancellationToken: ct));
        var found = ServiceLanguage.FindForbidden(reply, phrases);
        if (found.Count > 0 && !acceptForbiddenPhrases) errors["Reply"] = new("Phrase.ForbiddenFound", string.Join("、", found.Select(p => $"「{p}」")));
        var (state, dept) = await StateAsync(conn, tx, id, ct);
        RequireDepartmentActor(actor, dept);
        RequireState(state, ComplaintStates.Contacted);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaints SET state = 'handled', resolution = @resolution, reply = @reply, reply_forbidden_phrases = @found,
                handled_at = @now, handled_by = @actorId, current_due_at = NULL, updated_at = @now
            WHERE id = @id AND state = 'contacted'
            """, new { id, resolution = resolution.Trim(), reply = reply.Trim(), found = found.ToArray(), now, actorId = actor.Id == 0 ? (int?)null : actor.Id }, tx, cancellationToken: ct));
        await DeactivateDeadlinesAsync(conn, tx, id, null, ct);
        await AddEventAsync(conn, tx, id, now, actor, Events.Handled, resolution.Trim(), null, null, ct);
        await ServiceHub.Data.ReturnVisits.ReturnVisitTasks.CreateForHandledAsync(conn, tx, id, now, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// 处理延期: the department agreed a new completion time with the customer; it becomes the new escalation deadline and the
    /// old one stays in the timeline.
    /// </summary>
    public async Task ExtendAsync(Actor actor, long id, DateTimeOffset newDue, string reason, CancellationToken ct = default)
    {
        newDue = newDue.ToUniversalTime();
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, FieldError>();
        if (newDue <= now) errors["NewDue"] = new("Complaint.ExtensionInPast");
        if (string.IsNullOrWhiteSpace(reason)) errors["Reason"] = new("Validation.Required");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (state, dept) = await StateAsync(conn, tx, id, ct);
        RequireDepartmentActor(actor, dept);
        RequireState(state, ComplaintStates.Dispatched, ComplaintStates.Contacted);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var (oldDue, urgency) = await conn.QuerySingleAsync<(DateTimeOffset, int)>(new CommandDefinition(
            "SELECT reply_due_at, urgency_minutes FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET reply_due_at = @newDue, updated_at = @now WHERE id = @id", new { id, newDue, now }, tx, cancellationToken: ct));
        await SetDeadlineAsync(conn, tx, id, "reply", now, newDue, urgency, now, ct);
        await conn.ExecuteAsync(new CommandDefinition(RefreshCurrentDue, new { id }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, Events.Extended, reason.Trim(), oldDue, newDue, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A management project that cannot resolve the complaint reports it to the company complaint department.</summary>
    public async Task TransferAsync(Actor actor, long id, string reason, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Reason"] = new("Validation.Required") });
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (state, dept) = await StateAsync(conn, tx, id, ct);
        RequireDepartmentActor(actor, dept);
        RequireState(state, ComplaintStates.Dispatched, ComplaintStates.Contacted);
        var target = await conn.QuerySingleOrDefaultAsync<(int Id, string Name, int? Manager)?>(new CommandDefinition(
            "SELECT id, name, manager_user_id FROM departments WHERE code = @code", new { code = Options.ComplaintDepartmentCode }, tx, cancellationToken: ct))
            ?? throw new DomainException("Complaint.NoComplaintDepartment");
        if (target.Id == dept) throw new DomainException("Complaint.AlreadyAtComplaintDepartment");
        var now = clock.GetUtcNow();
        var from = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT name FROM departments WHERE id = @dept", new { dept }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET department_id = @to, handler_id = NULL, updated_at = @now WHERE id = @id",
            new { id, to = target.Id, now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, Events.Transferred, $"{from} → {target.Name} · {reason.Trim()}", null, null, ct);
        var recipients = await conn.QueryAsync<int>(new CommandDefinition("""
            SELECT id FROM users WHERE is_active AND department_id = @to AND ('handler' = ANY (roles) OR 'dept_manager' = ANY (roles) OR 'cs_supervisor' = ANY (roles))
            """, new { to = target.Id }, tx, cancellationToken: ct));
        await NotificationRepository.NotifyAsync(conn, tx, recipients, now, "complaint", id, "Notify.Transferred", [from ?? ""], $"/complaints/{id}", $"transfer:{id}:{now.ToUnixTimeSeconds()}", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Back to handling (return visit not satisfied, or a repeat complaint inside the week): state 'contacted', a new reply deadline
    /// 48 h from now, a 'reopened' event with the customer's words, a notification to the department. Returns false when the
    /// complaint was not handled (nothing changed).
    /// </summary>
    internal async Task<bool> ReopenAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, string words, DateTimeOffset now, CancellationToken ct)
    {
        var due = Deadlines.ReplyDue(now);
        var row = await conn.QuerySingleOrDefaultAsync<(int? DepartmentId, int? HandlerId, int? Urgency, string SheetNo)?>(new CommandDefinition("""
            UPDATE complaints SET state = 'contacted', reply_due_at = @due, current_due_at = @due, updated_at = @now
            WHERE id = @id AND state = 'handled'
            RETURNING department_id, handler_id, urgency_minutes, sheet_no
            """, new { id, due, now }, tx, cancellationToken: ct));
        if (row is not { } r) return false;
        await SetDeadlineAsync(conn, tx, id, "reply", now, due, r.Urgency ?? 120, now, ct);
        await conn.ExecuteAsync(new CommandDefinition(RefreshCurrentDue, new { id }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, Events.Reopened, words, null, due, ct);
        var recipients = (await conn.QueryAsync<int>(new CommandDefinition("""
            SELECT id FROM users WHERE is_active AND department_id = @dept AND ('handler' = ANY (roles) OR 'dept_manager' = ANY (roles))
            """, new { dept = r.DepartmentId }, tx, cancellationToken: ct))).ToList();
        if (r.HandlerId is { } h) recipients.Add(h);
        await NotificationRepository.NotifyAsync(conn, tx, recipients, now, "complaint", id, "ReturnVisit.Notify.Reopened", [r.SheetNo, words], $"/complaints/{id}",
            $"reopen:{id}:{now.ToUnixTimeMilliseconds()}", ct);
        return true;
    }

    private const string SelectDetail = $"""
        SELECT c.id, c.sheet_no, c.contact_id, ct.register_no, c.customer_id, cu.name AS customer_name, c.project_id, p.name AS project_name,
               CASE WHEN un.id IS NULL THEN NULL ELSE p.name || ' ' || b.name || ' ' || un.number END AS address,
               c.channel, c.content, c.state, c.urgency_minutes, c.department_id, d.name AS department_name,
               c.handler_id, h.display_name AS handler_name, c.registered_by, rb.display_name AS registered_by_name, c.registered_at,
               c.dispatched_at, c.contact_due_at, c.contacted_at, c.contact_method, c.reply_due_at, c.resolution, c.reply, c.reply_forbidden_phrases,
               c.handled_at, c.needs_return_visit, c.closed_at, c.close_reason, c.escalation_level, c.current_due_at,
               {MergedIntoSheetNo} AS merged_into_sheet_no
        FROM complaints c
        JOIN contacts ct ON ct.id = c.contact_id
        JOIN customers cu ON cu.id = c.customer_id
        JOIN users rb ON rb.id = c.registered_by
        LEFT JOIN users h ON h.id = c.handler_id
        LEFT JOIN departments d ON d.id = c.department_id
        LEFT JOIN projects p ON p.id = c.project_id
        LEFT JOIN units un ON un.id = c.unit_id
        LEFT JOIN buildings b ON b.id = un.building_id
        """;

    /// <summary>Who may read a complaint: the CS side, leadership, HR and return visits read all; a department reads its own.</summary>
    public static bool MayRead(Actor actor, int? departmentId) =>
        actor.IsIn(Roles.Agent, Roles.CsSupervisor, Roles.Admin, Roles.Leadership, Roles.Hr, Roles.ReturnVisit)
        || (actor.IsIn(Roles.Handler, Roles.DeptManager) && departmentId is not null && actor.DepartmentId == departmentId);

    public async Task<ComplaintDetail?> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var c = await conn.QuerySingleOrDefaultAsync<ComplaintDetail>(new CommandDefinition(SelectDetail + " WHERE c.id = @id", new { id }, cancellationToken: ct));
        if (c is not null && !MayRead(actor, c.DepartmentId)) throw new ForbiddenException(actor.UserName, [Roles.Handler]);
        return c;
    }

    public async Task<IReadOnlyList<ComplaintEvent>> TimelineAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ComplaintEvent>(new CommandDefinition(
            "SELECT id, at, actor_name, kind, details, deadline_before, deadline_after FROM complaint_events WHERE complaint_id = @id ORDER BY id",
            new { id }, cancellationToken: ct))).AsList();
    }

    private const string QueueWhere = """
        WHERE c.department_id = @DepartmentId AND c.state IN ('dispatched','contacted') AND c.merged_into_id IS NULL
          AND (@ProjectId IS NULL OR c.project_id = @ProjectId)
          AND (@UrgencyMinutes IS NULL OR c.urgency_minutes = @UrgencyMinutes)
          AND (@State IS NULL OR c.state = @State)
        """;

    /// <summary>A department's open complaints, most urgent (nearest deadline) first; server-paged.</summary>
    public async Task<Page<QueueItem>> QueueAsync(Actor actor, QueueFilter filter, int skip, int take, CancellationToken ct = default)
    {
        if (!MayRead(actor, filter.DepartmentId)) throw new ForbiddenException(actor.UserName, [Roles.Handler, Roles.DeptManager]);
        var args = new { filter.DepartmentId, filter.ProjectId, filter.UrgencyMinutes, filter.State, Skip = skip, Take = take };
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<QueueItem>(new CommandDefinition(QueuePageSql, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) FROM complaints c {QueueWhere}", args, cancellationToken: ct));
        return new Page<QueueItem>(items.AsList(), total);
    }

    public const string QueuePageSql = $"""
        SELECT c.id, c.sheet_no, c.state, cu.name AS customer_name, p.name AS project_name, c.content, c.urgency_minutes,
               c.registered_at, c.contact_due_at, c.reply_due_at, c.current_due_at, c.escalation_level, h.display_name AS handler_name
        FROM complaints c
        JOIN customers cu ON cu.id = c.customer_id
        LEFT JOIN projects p ON p.id = c.project_id
        LEFT JOIN users h ON h.id = c.handler_id
        {QueueWhere}
        ORDER BY c.current_due_at NULLS LAST, c.id
        OFFSET @Skip LIMIT @Take
        """;

    public sealed record ListItem(long Id, string SheetNo, string State, string CustomerName, string? ProjectName, string? DepartmentName, string Channel,
        string Content, DateTimeOffset RegisteredAt, DateTimeOffset? CurrentDueAt, int EscalationLevel, string? MergedIntoSheetNo);

    private const string ListWhere = """
        WHERE (@Text IS NULL OR c.sheet_no ILIKE @Text OR c.content ILIKE @Text OR cu.name ILIKE @Text)
          AND (@State IS NULL OR c.state = @State)
          AND (@DepartmentId IS NULL OR c.department_id = @DepartmentId)
        """;

    /// <summary>All complaints, newest first, for the CS side, leadership, HR and return visits; a department sees its own.</summary>
    public async Task<Page<ListItem>> SearchAsync(Actor actor, string? text, string? state, int? departmentId, int skip, int take, CancellationToken ct = default)
    {
        if (!actor.IsIn(Roles.Agent, Roles.CsSupervisor, Roles.Admin, Roles.Leadership, Roles.Hr, Roles.ReturnVisit))
        {
            actor.Require(Roles.Handler, Roles.DeptManager);
            departmentId = actor.DepartmentId ?? -1;
        }
        var args = new { Text = string.IsNullOrWhiteSpace(text) ? null : $"%{text.Trim()}%", State = state, DepartmentId = departmentId, Skip = skip, Take = take };
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<ListItem>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, c.state, cu.name AS customer_name, p.name AS project_name, d.name AS department_name, c.channel,
                   c.content, c.registered_at, c.current_due_at, c.escalation_level,
                   {MergedIntoSheetNo} AS merged_into_sheet_no
            FROM complaints c
            JOIN customers cu ON cu.id = c.customer_id
            LEFT JOIN projects p ON p.id = c.project_id
            LEFT JOIN departments d ON d.id = c.department_id
            {ListWhere}
            ORDER BY c.registered_at DESC, c.id DESC
            OFFSET @Skip LIMIT @Take
            """, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            $"SELECT count(*) FROM complaints c JOIN customers cu ON cu.id = c.customer_id {ListWhere}", args, cancellationToken: ct));
        return new Page<ListItem>(items.AsList(), total);
    }

    /// <summary>The manager's view: escalated deadlines of the department's complaints, newest first.</summary>
    public async Task<IReadOnlyList<EscalationItem>> EscalationsAsync(Actor actor, int departmentId, int take = 100, CancellationToken ct = default)
    {
        if (!MayRead(actor, departmentId)) throw new ForbiddenException(actor.UserName, [Roles.DeptManager]);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<EscalationItem>(new CommandDefinition("""
            SELECT c.id AS complaint_id, c.sheet_no, e.details AS kind, substr(e.kind, 10) AS stage, e.deadline_before AS due_at, e.at, c.state, cu.name AS customer_name
            FROM complaint_events e
            JOIN complaints c ON c.id = e.complaint_id
            JOIN customers cu ON cu.id = c.customer_id
            WHERE c.department_id = @departmentId AND e.kind IN ('deadline-level1','deadline-level2')
            ORDER BY e.at DESC, e.id DESC
            LIMIT @take
            """, new { departmentId, take }, cancellationToken: ct))).AsList();
    }
}
