using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Data.Complaints;

/// <summary>The desk (DOMAIN.md §4 handling): registration, dispatch, contact, notes, handling, extension, transfer.</summary>
public sealed partial class ComplaintLifecycle
{
    /// <summary>A new complaint (the issue record sheet of a contact), registered with its 48-hour reply deadline.</summary>
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
        await SetDeadlineAsync(conn, tx, id, DeadlineKinds.Reply, now, replyDue, 120, now, ct);
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Registered, sheetNo, ct, after: replyDue);
        return id;
    }

    public async Task DispatchAsync(Actor actor, long id, int? departmentId, int? urgencyMinutes, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Dispatch);
        var errors = new Dictionary<string, FieldError>();
        if (departmentId is null) errors["DepartmentId"] = new("Complaint.DepartmentRequired");
        if (urgencyMinutes is not { } u || !Urgency.IsValid(u)) errors["UrgencyMinutes"] = new("Complaint.UrgencyRequired");
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await db.InTransactionAsync((conn, tx) => DispatchAsync(conn, tx, actor, id, departmentId!.Value, urgencyMinutes!.Value, ct), ct);
    }

    /// <summary>The call centre dispatches to the responsible department: the contact deadline follows the urgency, the department is notified.</summary>
    internal async Task DispatchAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, int departmentId, int urgencyMinutes, CancellationToken ct)
    {
        var c = await LockForAsync(conn, tx, actor, id, ComplaintAction.Dispatch, ct);
        var active = await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT is_active FROM departments WHERE id = @departmentId", new { departmentId }, tx, cancellationToken: ct));
        if (active != true) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["DepartmentId"] = new("Complaint.DepartmentRequired") });
        var now = clock.GetUtcNow();
        var contactDue = Deadlines.ContactDue(now, urgencyMinutes);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaints SET state = 'dispatched', department_id = @departmentId, urgency_minutes = @urgencyMinutes,
                dispatched_at = @now, contact_due_at = @contactDue, updated_at = @now
            WHERE id = @id AND state = 'registered'
            """, new { id, departmentId, urgencyMinutes, now, contactDue }, tx, cancellationToken: ct));
        await SetDeadlineAsync(conn, tx, id, DeadlineKinds.Contact, now, contactDue, urgencyMinutes, now, ct);
        // The reply deadline's level 2 comes one contact interval after it.
        await MoveLevel2Async(conn, tx, id, DeadlineKinds.Reply, urgencyMinutes, ct);
        var deptName = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT name FROM departments WHERE id = @departmentId", new { departmentId }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Dispatched, deptName ?? "", ct, after: contactDue);

        var recipients = await conn.QueryAsync<int>(new CommandDefinition("""
            SELECT id FROM users WHERE is_active AND department_id = @departmentId AND ('handler' = ANY (roles) OR 'dept_manager' = ANY (roles))
            """, new { departmentId }, tx, cancellationToken: ct));
        await NotificationRepository.NotifyAsync(conn, tx, recipients, now, "complaint", id, "Notify.Dispatched", [c.SheetNo, urgencyMinutes.ToString()],
            $"/complaints/{id}", $"dispatch:{id}", ct);
    }

    /// <summary>The department confirms its first contact with the customer: the contact deadline is met.</summary>
    public async Task ConfirmContactAsync(Actor actor, long id, DateTimeOffset contactedAt, string method, CancellationToken ct = default)
    {
        contactedAt = contactedAt.ToUniversalTime();
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, FieldError>();
        if (string.IsNullOrWhiteSpace(method)) errors["Method"] = new("Validation.Required");
        if (contactedAt > now.AddMinutes(1)) errors["ContactedAt"] = new("Complaint.ContactInFuture");
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Contact, ct);
            var dispatchedAt = await conn.ExecuteScalarAsync<DateTimeOffset>(new CommandDefinition(
                "SELECT dispatched_at FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
            if (contactedAt < dispatchedAt.AddMinutes(-1)) errors["ContactedAt"] = new("Complaint.ContactBeforeDispatch");
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE complaints SET state = 'contacted', contacted_at = @contactedAt, contact_method = @method,
                    handler_id = coalesce(handler_id, @actorId), updated_at = @now
                WHERE id = @id AND state = 'dispatched'
                """, new { id, contactedAt, method = method.Trim(), actorId = actor.IsIn(Roles.Handler) ? actor.Id : (int?)null, now }, tx, cancellationToken: ct));
            await StopDeadlinesAsync(conn, tx, id, DeadlineKinds.Contact, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Contacted, $"{BusinessTime.Format(contactedAt)} · {method.Trim()}", ct);
        }, ct);
    }

    public async Task AddNoteAsync(Actor actor, long id, string note, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(note)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Note"] = new("Validation.Required") });
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Note, ct);
            var now = clock.GetUtcNow();
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Note, note.Trim(), ct);
            await TouchAsync(conn, tx, id, now, ct);
        }, ct);
    }

    /// <summary>The resolution and the reply to the customer: the complaint is handled, its deadlines stop, a return visit is due if needed.</summary>
    public async Task HandleAsync(Actor actor, long id, string resolution, string reply, bool acceptForbiddenPhrases, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        if (string.IsNullOrWhiteSpace(resolution)) errors["Resolution"] = new("Validation.Required");
        if (string.IsNullOrWhiteSpace(reply)) errors["Reply"] = new("Validation.Required");
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var phrases = await conn.QueryAsync<string>(new CommandDefinition(
                "SELECT text FROM service_phrases WHERE kind = 'forbidden' AND is_active", transaction: tx, cancellationToken: ct));
            var found = ServiceLanguage.FindForbidden(reply, phrases);
            if (found.Count > 0 && !acceptForbiddenPhrases) errors["Reply"] = new("Phrase.ForbiddenFound", string.Join("、", found.Select(p => $"「{p}」")));
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Handle, ct);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            var now = clock.GetUtcNow();
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE complaints SET state = 'handled', resolution = @resolution, reply = @reply, reply_forbidden_phrases = @found,
                    handled_at = @now, handled_by = @actorId, updated_at = @now
                WHERE id = @id AND state = 'contacted'
                """, new { id, resolution = resolution.Trim(), reply = reply.Trim(), found = found.ToArray(), now, actorId = ActorId(actor) }, tx, cancellationToken: ct));
            await StopDeadlinesAsync(conn, tx, id, null, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Handled, resolution.Trim(), ct);
            await ReturnVisits.ReturnVisitTasks.CreateForHandledAsync(conn, tx, id, now, ct);
        }, ct);
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
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Extend, ct);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            var (oldDue, urgency) = await conn.QuerySingleAsync<(DateTimeOffset, int)>(new CommandDefinition(
                "SELECT reply_due_at, urgency_minutes FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE complaints SET reply_due_at = @newDue, updated_at = @now WHERE id = @id", new { id, newDue, now }, tx, cancellationToken: ct));
            await SetDeadlineAsync(conn, tx, id, DeadlineKinds.Reply, now, newDue, urgency, now, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Extended, reason.Trim(), ct, oldDue, newDue);
        }, ct);
    }

    /// <summary>A management project that cannot resolve the complaint reports it to the company complaint department.</summary>
    public async Task TransferAsync(Actor actor, long id, string reason, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Reason"] = new("Validation.Required") });
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var c = await LockForAsync(conn, tx, actor, id, ComplaintAction.Transfer, ct);
            var target = await conn.QuerySingleOrDefaultAsync<(int Id, string Name, int? Manager)?>(new CommandDefinition(
                "SELECT id, name, manager_user_id FROM departments WHERE code = @code", new { code = Options.ComplaintDepartmentCode }, tx, cancellationToken: ct))
                ?? throw new DomainException("Complaint.NoComplaintDepartment");
            if (target.Id == c.DepartmentId) throw new DomainException("Complaint.AlreadyAtComplaintDepartment");
            var now = clock.GetUtcNow();
            var from = await conn.ExecuteScalarAsync<string>(new CommandDefinition(
                "SELECT name FROM departments WHERE id = @dept", new { dept = c.DepartmentId }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE complaints SET department_id = @to, handler_id = NULL, updated_at = @now WHERE id = @id",
                new { id, to = target.Id, now }, tx, cancellationToken: ct));
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Transferred, $"{from} → {target.Name} · {reason.Trim()}", ct);
            var recipients = await conn.QueryAsync<int>(new CommandDefinition("""
                SELECT id FROM users WHERE is_active AND department_id = @to AND ('handler' = ANY (roles) OR 'dept_manager' = ANY (roles) OR 'cs_supervisor' = ANY (roles))
                """, new { to = target.Id }, tx, cancellationToken: ct));
            await NotificationRepository.NotifyAsync(conn, tx, recipients, now, "complaint", id, "Notify.Transferred", [from ?? ""], $"/complaints/{id}",
                $"transfer:{id}:{now.ToUnixTimeSeconds()}", ct);
        }, ct);
    }
}
