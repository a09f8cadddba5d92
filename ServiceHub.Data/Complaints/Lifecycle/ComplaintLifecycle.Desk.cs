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
            INSERT INTO complaints (sheet_no, contact_id, customer_id, project_id, unit_id, channel, content, registered_by, registered_at,
                                    reply_due_at, needs_return_visit, current_due_at, updated_at)
            VALUES (@sheetNo, @contactId, @customerId, @projectId, @unitId, @channel, @content, @actorId, @now,
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
        await conn.ExecuteAsync(new CommandDefinition($"""
            {MoveState(ComplaintStates.Registered, ComplaintStates.Dispatched)}
            UPDATE complaints SET department_id = @departmentId, urgency_minutes = @urgencyMinutes,
                dispatched_at = @now, contact_due_at = @contactDue, updated_at = @now
            WHERE id = (SELECT complaint_id FROM st)
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

    /// <summary>
    /// The department confirms its first contact with the customer: the contact deadline is met. The typed time is checked against the
    /// dispatch and the moment of logging, both kept; typed more than an hour back it needs <paramref name="note"/> (<see cref="ContactTime"/>).
    /// </summary>
    public async Task ConfirmContactAsync(Actor actor, long id, DateTimeOffset contactedAt, string method, string? note = null, CancellationToken ct = default)
    {
        contactedAt = contactedAt.ToUniversalTime();
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Contact);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Contact, ct);
            var now = clock.GetUtcNow();
            var dispatchedAt = await conn.ExecuteScalarAsync<DateTimeOffset>(new CommandDefinition(
                "SELECT dispatched_at FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
            var errors = ContactTime.Check(contactedAt, dispatchedAt, now, method, note);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            var noteText = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
            await conn.ExecuteAsync(new CommandDefinition($"""
                {MoveState(ComplaintStates.Dispatched, ComplaintStates.Contacted)}
                UPDATE complaints SET contacted_at = @contactedAt, contact_method = @method, contact_logged_at = @now,
                    contact_time_note = @noteText, handler_id = coalesce(handler_id, @actorId), updated_at = @now
                WHERE id = (SELECT complaint_id FROM st)
                """, new { id, contactedAt, method = method.Trim(), noteText, actorId = actor.IsIn(Roles.Handler) ? actor.Id : (int?)null, now }, tx, cancellationToken: ct));
            await StopDeadlinesAsync(conn, tx, id, DeadlineKinds.Contact, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Contacted,
                $"{BusinessTime.Format(contactedAt)} · {method.Trim()}" + (noteText is null ? "" : $" · {noteText}"), ct);
        }, ct);
    }

    public async Task AddNoteAsync(Actor actor, long id, string note, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Note", note, NoteMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
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
        TextInput.Check(errors, "Resolution", resolution, TextMax);
        TextInput.Check(errors, "Reply", reply, TextMax);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var phrases = await conn.QueryAsync<string>(new CommandDefinition(
                "SELECT text FROM service_phrases WHERE kind = 'forbidden' AND is_active", transaction: tx, cancellationToken: ct));
            var found = ServiceLanguage.FindForbidden(reply, phrases);
            if (found.Count > 0 && !acceptForbiddenPhrases) errors["Reply"] = new("Phrase.ForbiddenFound", string.Join("、", found.Select(p => $"「{p}」")));
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Handle, ct);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            var now = clock.GetUtcNow();
            await conn.ExecuteAsync(new CommandDefinition($"""
                {MoveState(ComplaintStates.Contacted, ComplaintStates.Handled)}
                UPDATE complaints SET resolution = @resolution, reply = @reply, reply_forbidden_phrases = @found,
                    handled_at = @now, handled_by = @actorId, return_visit_unreachable_at = NULL,
                    feedback_given_at = CASE WHEN feedback_due_at IS NULL THEN NULL ELSE coalesce(feedback_given_at, @now) END, updated_at = @now
                WHERE id = (SELECT complaint_id FROM st)
                """, new { id, resolution = resolution.Trim(), reply = reply.Trim(), found = found.ToArray(), now, actorId = ActorId(actor) }, tx, cancellationToken: ct));
            await StopDeadlinesAsync(conn, tx, id, null, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Handled, resolution.Trim(), ct);
            await ReturnVisits.ReturnVisitTasks.CreateForHandledAsync(conn, tx, id, now, ct);
        }, ct);
    }

    /// <summary>
    /// 处理延期: the department agreed a new completion time with the customer; it becomes the new escalation deadline and the
    /// old one stays in the timeline. It must be recorded before the deadline it replaces (<see cref="Deadlines.MayExtend"/>): after,
    /// it is refused at the field, and the manager may record a new agreed date instead (<see cref="AgreeReplyDateAsync"/>).
    /// </summary>
    public async Task ExtendAsync(Actor actor, long id, DateTimeOffset newDue, string reason, CancellationToken ct = default)
    {
        newDue = newDue.ToUniversalTime();
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Extend);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Extend, ct);
            var now = clock.GetUtcNow();
            var (oldDue, urgency) = await conn.QuerySingleAsync<(DateTimeOffset, int)>(new CommandDefinition(
                "SELECT reply_due_at, urgency_minutes FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
            var errors = new Dictionary<string, FieldError>();
            if (!Deadlines.MayExtend(oldDue, now)) errors["NewDue"] = new("Complaint.ExtensionAfterDeadline", BusinessTime.Format(oldDue));
            else CheckAhead(errors, "NewDue", newDue, now, "Complaint.ExtensionInPast");
            if (!errors.ContainsKey("NewDue") && newDue > now + Options.ExtensionHorizon && !actor.IsIn(Roles.DeptManager))
                errors["NewDue"] = new("Complaint.ExtensionBeyondHorizon", (int)Options.ExtensionHorizon.TotalDays);
            TextInput.Check(errors, "Reason", reason, ReasonMax);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE complaints SET reply_due_at = @newDue, updated_at = @now WHERE id = @id", new { id, newDue, now }, tx, cancellationToken: ct));
            await SetDeadlineAsync(conn, tx, id, DeadlineKinds.Reply, now, newDue, urgency, now, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Extended, reason.Trim(), ct, oldDue, newDue);
        }, ct);
    }

    /// <summary>
    /// After the reply deadline was missed, the department manager agrees a new date with the customer (issue #11 point 7). It is
    /// recorded, shown and warned like the feedback time, but it is not an extension: the reply deadline in force stays the missed one, so
    /// the reply counts late in every figure and report. Refused while the deadline still runs (an extension is recorded then).
    /// </summary>
    public async Task AgreeReplyDateAsync(Actor actor, long id, DateTimeOffset agreedAt, string reason, CancellationToken ct = default)
    {
        agreedAt = agreedAt.ToUniversalTime();
        ComplaintPermissions.RequireRole(actor, ComplaintAction.AgreeDate);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await LockForAsync(conn, tx, actor, id, ComplaintAction.AgreeDate, ct);
            var now = clock.GetUtcNow();
            var missed = await conn.ExecuteScalarAsync<DateTimeOffset>(new CommandDefinition(
                "SELECT reply_due_at FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
            var errors = new Dictionary<string, FieldError>();
            if (Deadlines.MayExtend(missed, now)) errors["AgreedAt"] = new("Complaint.AgreeDateBeforeDeadline", BusinessTime.Format(missed));
            else CheckAhead(errors, "AgreedAt", agreedAt, now, "Complaint.ExtensionInPast");
            TextInput.Check(errors, "Reason", reason, ReasonMax);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            var before = await conn.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
                "UPDATE complaints c SET agreed_reply_at = @agreedAt, updated_at = @now FROM complaints o WHERE c.id = @id AND o.id = c.id RETURNING o.agreed_reply_at",
                new { id, agreedAt, now }, tx, cancellationToken: ct));
            await SetDeadlineAsync(conn, tx, id, DeadlineKinds.Agreed, now, agreedAt, 0, now, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.AgreedDate, reason.Trim(), ct, before ?? missed, agreedAt);
        }, ct);
    }

    /// <summary>
    /// The earliest feedback time (最快反馈信息的时间, DOMAIN.md §4): a handler who cannot resolve at once agrees with the owner when they will
    /// hear back. It is shown on the complaint and in the queue; the handler is warned at the configured share and told when it passes
    /// unmet (it does not escalate: decision, issue #11 point 6). A new time may be agreed once the feedback was given, or while the
    /// current one has not passed; a passed one must first be recorded as given (late), so a miss cannot be hidden by a new time.
    /// </summary>
    public async Task AgreeFeedbackAsync(Actor actor, long id, DateTimeOffset dueAt, CancellationToken ct = default)
    {
        dueAt = dueAt.ToUniversalTime();
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Feedback);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Feedback, ct);
            var now = clock.GetUtcNow();
            var (current, given) = await conn.QuerySingleAsync<(DateTimeOffset?, DateTimeOffset?)>(new CommandDefinition(
                "SELECT feedback_due_at, feedback_given_at FROM complaints WHERE id = @id", new { id }, tx, cancellationToken: ct));
            var errors = new Dictionary<string, FieldError>();
            if (current is { } c && given is null && now > c) errors["FeedbackDue"] = new("Complaint.FeedbackMissedFirst", BusinessTime.Format(c));
            else CheckAhead(errors, "FeedbackDue", dueAt, now, "Complaint.FeedbackInPast");
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE complaints SET feedback_due_at = @dueAt, feedback_agreed_at = @now, feedback_given_at = NULL, updated_at = @now WHERE id = @id
                """, new { id, dueAt, now }, tx, cancellationToken: ct));
            await SetDeadlineAsync(conn, tx, id, DeadlineKinds.Feedback, now, dueAt, 0, now, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.FeedbackAgreed, "", ct, given is null ? current : null, dueAt);
        }, ct);
    }

    /// <summary>A time agreed with the customer lies ahead, but not absurdly far (<see cref="Deadlines.AgreedWithin"/>).</summary>
    private static void CheckAhead(Dictionary<string, FieldError> errors, string field, DateTimeOffset at, DateTimeOffset now, string pastCode)
    {
        if (at <= now) errors[field] = new(pastCode);
        else if (at > now + Deadlines.AgreedWithin) errors[field] = new("Complaint.AgreedTooFar", (int)Deadlines.AgreedWithin.TotalDays);
    }

    /// <summary>The handler gave the owner the feedback agreed: the feedback time is met (or, after it, met late — it stays missed).</summary>
    public async Task RecordFeedbackGivenAsync(Actor actor, long id, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Feedback);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await LockForAsync(conn, tx, actor, id, ComplaintAction.Feedback, ct);
            var now = clock.GetUtcNow();
            var due = await conn.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition("""
                UPDATE complaints SET feedback_given_at = @now, updated_at = @now
                WHERE id = @id AND feedback_due_at IS NOT NULL AND feedback_given_at IS NULL
                RETURNING feedback_due_at
                """, new { id, now }, tx, cancellationToken: ct)) ?? throw new DomainException("Complaint.NoFeedbackAgreed");
            await StopDeadlinesAsync(conn, tx, id, DeadlineKinds.Feedback, ct);
            await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.FeedbackGiven, now > due ? "late" : "in-time", ct, due);
        }, ct);
    }

    /// <summary>A management project that cannot resolve the complaint reports it to the company complaint department.</summary>
    public async Task TransferAsync(Actor actor, long id, string reason, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Reason", reason, ReasonMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
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
