using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.ReturnVisits;

/// <summary>Return-visit work (DOMAIN.md §5): scheduling, call attempts, outcomes that close or reopen the complaint.</summary>
public sealed class ReturnVisitRepository(NpgsqlDataSource db, TimeProvider clock, ComplaintLifecycle lifecycle, IReminderScheduler reminders)
{

    private const string SelectRow = """
        SELECT t.id, t.kind, t.complaint_id, c.sheet_no, t.contact_id, ct.register_no, cu.name AS customer_name, d.name AS department_name, d.name_en AS department_name_en,
               t.state, t.assignee_id, u.display_name AS assignee_name, t.due_at, t.scheduled_at, t.callback_at, t.failed_attempts
        FROM return_visit_tasks t
        JOIN customers cu ON cu.id = t.customer_id
        LEFT JOIN complaints c ON c.id = t.complaint_id
        LEFT JOIN contacts ct ON ct.id = t.contact_id
        LEFT JOIN departments d ON d.id = t.department_id
        LEFT JOIN users u ON u.id = t.assignee_id
        """;

    /// <summary>The open tasks (all members, or one), overdue ones first, then by the planned call time.</summary>
    public async Task<IReadOnlyList<TaskRow>> ScheduleAsync(Actor actor, int? assigneeId = null, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitTeam);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<TaskRow>(new CommandDefinition(SelectRow + """
             WHERE t.state IN ('open','escalated') AND (@assigneeId IS NULL OR t.assignee_id = @assigneeId)
             ORDER BY (t.due_at < @now) DESC, t.scheduled_at, t.id
            """, new { assigneeId, now = clock.GetUtcNow() }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<TeamMember>> TeamAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<TeamMember>(new CommandDefinition(
            "SELECT id, display_name FROM users WHERE is_active AND 'return_visit' = ANY (roles) ORDER BY id", cancellationToken: ct))).AsList();
    }

    public async Task<TaskDetail?> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitReaders);
        await using var conn = await db.OpenConnectionAsync(ct);
        var t = await conn.QuerySingleOrDefaultAsync<TaskDetail>(new CommandDefinition($"""
            SELECT t.id, t.kind, t.complaint_id, c.sheet_no, t.contact_id, ct.register_no, t.customer_id, cu.name AS customer_name, cu.phone AS customer_phone,
                   d.name AS department_name, d.name_en AS department_name_en, t.state, t.assignee_id, u.display_name AS assignee_name, t.due_at, t.scheduled_at, t.callback_at,
                   t.failed_attempts, t.outcome, t.customer_words, t.closure_pending, t.completed_at,
                   coalesce(c.content, ct.content) AS content, c.resolution, coalesce(c.reply, ct.answer) AS reply, st.state AS complaint_state,
                   st.close_reason, c.root_cause_id, cu.contact_channel AS customer_contact_channel, cu.contact_handle AS customer_contact_handle,
                   {Unreachable.FailedDaysSql} AS failed_days, s.unreachable_after_days, d.return_visit_lead_id AS department_lead_id,
                   (SELECT cs.return_visit_lead_id FROM departments cs WHERE cs.code = '{ReturnVisitTasks.CsDepartmentCode}') AS cs_lead_id,
                   t.unreachable_note, cb.display_name AS completed_by_name
            FROM return_visit_tasks t
            CROSS JOIN return_visit_settings s
            JOIN customers cu ON cu.id = t.customer_id
            LEFT JOIN complaints c ON c.id = t.complaint_id
            {ComplaintSql.LeftJoinState}
            LEFT JOIN contacts ct ON ct.id = t.contact_id
            LEFT JOIN departments d ON d.id = t.department_id
            LEFT JOIN users u ON u.id = t.assignee_id
            LEFT JOIN users cb ON cb.id = t.completed_by
            WHERE t.id = @id
            """, new { id }, cancellationToken: ct));
        // The team calls the customer: the phone is shown masked; a full view goes through the audited customer reveal.
        return t is null ? null : t with { CustomerPhone = Masking.Phone(t.CustomerPhone) };
    }

    /// <summary>The calls made for a return visit, for those who read return visits (<see cref="ReaderRoles"/>).</summary>
    public async Task<IReadOnlyList<AttemptRow>> AttemptsAsync(Actor actor, long taskId, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitReaders);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AttemptRow>(new CommandDefinition(
            "SELECT id, at, by_name, result, callback_at, outcome, notes FROM return_visit_attempts WHERE task_id = @taskId ORDER BY id",
            new { taskId }, cancellationToken: ct))).AsList();
    }

    private static async Task<(string State, string Kind, long? ComplaintId, int? AssigneeId)> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<(string, string, long?, int?)?>(new CommandDefinition(
            "SELECT state, kind, complaint_id, assignee_id FROM return_visit_tasks WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct))
        ?? throw new DomainException("NotFound");

    /// <summary>Assign or reassign to a team member. An escalated task is the supervisor's: reassigning it starts the attempts afresh.</summary>
    public async Task AssignAsync(Actor actor, long id, int assigneeId, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitTeam);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (state, _, complaintId, _) = await LockAsync(conn, tx, id, ct);
        if (!TaskStates.Active.Contains(state)) throw new DomainException("ReturnVisit.TaskFinished");
        if (state == TaskStates.Escalated) actor.Require(Access.Supervisor);
        var ok = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = @assigneeId AND is_active AND 'return_visit' = ANY (roles))", new { assigneeId }, tx, cancellationToken: ct));
        if (!ok) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["AssigneeId"] = new("ReturnVisit.NotATeamMember") });
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE return_visit_tasks SET assignee_id = @assigneeId, state = 'open',
                failed_attempts = CASE WHEN state = 'escalated' THEN 0 ELSE failed_attempts END
            WHERE id = @id
            """, new { id, assigneeId }, tx, cancellationToken: ct));
        var sheet = complaintId is null ? "" : await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT sheet_no FROM complaints WHERE id = @complaintId", new { complaintId }, tx, cancellationToken: ct));
        await NotificationRepository.NotifyAsync(conn, tx, [assigneeId], now, "return-visit", complaintId, "ReturnVisit.Notify.Assigned",
            [sheet ?? "", ""], $"/return-visits/{id}", $"rv-assigned:{id}:{assigneeId}:{now.ToUnixTimeSeconds()}", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Moves the planned call time.</summary>
    public async Task RescheduleAsync(Actor actor, long id, DateTimeOffset at, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitTeam);
        if (at < clock.GetUtcNow().AddMinutes(-1))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["ScheduledAt"] = new("ReturnVisit.TimeInPast") });
        await using var conn = await db.OpenConnectionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE return_visit_tasks SET scheduled_at = @at WHERE id = @id AND state IN ('open','escalated')", new { id, at }, cancellationToken: ct));
        if (n == 0) throw new DomainException("ReturnVisit.TaskFinished");
    }

    public static IReadOnlyDictionary<string, FieldError> Validate(AttemptForm f, DateTimeOffset now)
    {
        var e = new Dictionary<string, FieldError>();
        if (!AttemptResults.All.Contains(f.Result)) e[nameof(f.Result)] = new("Validation.Required");
        if (f.Result == AttemptResults.CallBack && (f.CallbackAt is null || f.CallbackAt <= now)) e[nameof(f.CallbackAt)] = new("ReturnVisit.CallbackInFuture");
        if (f.Result == AttemptResults.Reached && (f.Outcome is null || !Outcomes.All.Contains(f.Outcome))) e[nameof(f.Outcome)] = new("ReturnVisit.OutcomeRequired");
        if (f.Result == AttemptResults.Reached && f.Outcome == Outcomes.NotSatisfied && string.IsNullOrWhiteSpace(f.CustomerWords))
            e[nameof(f.CustomerWords)] = new("ReturnVisit.CustomerWordsRequired");
        TextInput.Check(e, nameof(f.Notes), f.Notes, AttemptForm.NotesMax, required: false);
        if (!e.ContainsKey(nameof(f.CustomerWords))) TextInput.Check(e, nameof(f.CustomerWords), f.CustomerWords, AttemptForm.CustomerWordsMax, required: false);
        return e;
    }

    /// <summary>
    /// Records one call. Failed calls count towards the supervisor; "call back at" schedules a reminder; "reached" decides:
    /// satisfied closes the complaint (or, without a root cause yet, leaves the closure pending until it is classified), not
    /// satisfied sends it back to the department with the customer's words and a new reply deadline.
    /// </summary>
    public async Task<AttemptResult> RecordAttemptAsync(Actor actor, long id, AttemptForm form, CancellationToken ct = default)
    {
        actor.Require(Access.ReturnVisitTeam);
        var now = clock.GetUtcNow();
        var errors = Validate(form, now);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (state, kind, complaintId, _) = await LockAsync(conn, tx, id, ct);
        if (!TaskStates.Active.Contains(state)) throw new DomainException("ReturnVisit.TaskFinished");
        // A task that went to the supervisor is the supervisor's until reassigned.
        if (state == TaskStates.Escalated) actor.Require(Access.Supervisor);
        var settings = await conn.QuerySingleAsync<ReturnVisitSettings>(new CommandDefinition(ReturnVisitTasks.SelectSettings, transaction: tx, cancellationToken: ct));
        var actorId = actor.Id == 0 ? (int?)null : actor.Id;
        var reached = form.Result == AttemptResults.Reached;
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO return_visit_attempts (task_id, at, by_id, by_name, result, callback_at, outcome, notes)
            VALUES (@id, @now, @actorId, @name, @Result, @callbackAt, @outcome, @notes)
            """, new
        {
            id, now, actorId, name = actor.DisplayName, form.Result,
            callbackAt = form.Result == AttemptResults.CallBack ? form.CallbackAt : null,
            outcome = reached ? form.Outcome : null,
            notes = (reached && form.Outcome == Outcomes.NotSatisfied ? form.CustomerWords : form.Notes).Trim(),
        }, tx, cancellationToken: ct));

        string newState = state;
        string? complaintState = null;
        var pending = false;
        long? reminderId = null;
        if (AttemptResults.IsFailed(form.Result))
        {
            var failed = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "UPDATE return_visit_tasks SET failed_attempts = failed_attempts + 1 WHERE id = @id RETURNING failed_attempts", new { id }, tx, cancellationToken: ct));
            if (state == TaskStates.Open && Closure.GoesToSupervisor(failed, settings.MaxFailedAttempts))
            {
                newState = TaskStates.Escalated;
                await conn.ExecuteAsync(new CommandDefinition("UPDATE return_visit_tasks SET state = 'escalated' WHERE id = @id", new { id }, tx, cancellationToken: ct));
                var supervisors = await conn.QueryAsync<int>(new CommandDefinition(
                    "SELECT id FROM users WHERE is_active AND 'cs_supervisor' = ANY (roles)", transaction: tx, cancellationToken: ct));
                await NotificationRepository.NotifyAsync(conn, tx, supervisors, now, "return-visit", complaintId, "ReturnVisit.Notify.Escalated",
                    [failed.ToString(System.Globalization.CultureInfo.InvariantCulture)], $"/return-visits/{id}", $"rv-escalated:{id}", ct);
            }
        }
        else if (form.Result == AttemptResults.CallBack)
        {
            var at = form.CallbackAt!.Value;
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE return_visit_tasks SET callback_at = @at, scheduled_at = @at WHERE id = @id", new { id, at }, tx, cancellationToken: ct));
            reminderId = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
                INSERT INTO return_visit_reminders (task_id, remind_at) VALUES (@id, @at)
                ON CONFLICT (task_id, remind_at) DO NOTHING RETURNING id
                """, new { id, at }, tx, cancellationToken: ct));
        }
        else
        {
            newState = TaskStates.Done;
            var satisfied = form.Outcome == Outcomes.Satisfied;
            var words = form.CustomerWords.Trim();
            if (kind == TaskKinds.Complaint && complaintId is { } cid)
                (complaintState, pending) = await lifecycle.RecordReturnVisitAsync(conn, tx, actor, cid, satisfied, words, now, ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE return_visit_tasks SET state = 'done', outcome = @Outcome, customer_words = @words, closure_pending = @pending,
                    completed_at = @now, completed_by = @actorId
                WHERE id = @id
                """, new { id, form.Outcome, words, pending, now, actorId }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        if (reminderId is { } r) reminders.Schedule(r, form.CallbackAt!.Value);
        return new AttemptResult(newState, complaintState, pending, reminderId);
    }

    /// <summary>
    /// The return-visit lead closes a visit that cannot reach the customer (issue #11 point 5): allowed once the failed attempts fall on
    /// the configured number of different business days. The attempts stay listed; the complaint's timeline lists their times, and the
    /// complaint then closes by the one-week rule as without a return visit. The visit counts neither satisfied nor dissatisfied.
    /// </summary>
    public async Task CloseUnreachableAsync(Actor actor, long id, string note, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Note", note, Unreachable.NoteMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        note = (note ?? "").Trim();
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var t = await conn.QuerySingleOrDefaultAsync<(string State, string Kind, long? ComplaintId, int? DepartmentLeadId, int? CsLeadId, int FailedDays, int AfterDays)?>(
                new CommandDefinition($"""
                    SELECT t.state, t.kind, t.complaint_id, d.return_visit_lead_id,
                           (SELECT cs.return_visit_lead_id FROM departments cs WHERE cs.code = '{ReturnVisitTasks.CsDepartmentCode}'),
                           {Unreachable.FailedDaysSql}, s.unreachable_after_days
                    FROM return_visit_tasks t CROSS JOIN return_visit_settings s LEFT JOIN departments d ON d.id = t.department_id
                    WHERE t.id = @id FOR UPDATE OF t
                    """, new { id }, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
            if (!Unreachable.IsLead(actor, t.DepartmentLeadId, t.CsLeadId)) throw new ForbiddenException(actor.UserName, ["return_visit_lead", .. Access.Supervisor]);
            if (!TaskStates.Active.Contains(t.State)) throw new DomainException("ReturnVisit.TaskFinished");
            if (!Unreachable.MayClose(t.FailedDays, t.AfterDays)) throw new DomainException("ReturnVisit.Unreachable.NotYet", t.FailedDays, t.AfterDays);
            var now = clock.GetUtcNow();
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE return_visit_tasks SET state = 'unreachable', unreachable_note = @note, closure_pending = false, completed_at = @now, completed_by = @actorId
                WHERE id = @id AND state IN ('open','escalated')
                """, new { id, note, now, actorId = actor.Id }, tx, cancellationToken: ct));
            if (t.Kind == TaskKinds.Complaint && t.ComplaintId is { } complaintId)
            {
                var failed = await conn.QueryAsync<DateTimeOffset>(new CommandDefinition(
                    "SELECT at FROM return_visit_attempts WHERE task_id = @id AND result IN ('no_answer','busy','wrong_number') ORDER BY at, id",
                    new { id }, tx, cancellationToken: ct));
                await ComplaintLifecycle.RecordReturnVisitUnreachableAsync(conn, tx, actor, complaintId, failed.AsList(), note, now, ct);
            }
        }, ct);
    }

    public async Task<ReturnVisitSettings> SettingsAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<ReturnVisitSettings>(new CommandDefinition(ReturnVisitTasks.SelectSettings, cancellationToken: ct));
    }

    /// <summary>The CS supervisor sets the assignment rule, the due time, the failed-attempt limit and the consultation sample.</summary>
    public async Task SaveSettingsAsync(Actor actor, SettingsForm f, CancellationToken ct = default)
    {
        actor.Require(Access.Supervisor);
        var e = new Dictionary<string, FieldError>();
        if (!AssignRules.All.Contains(f.AssignRule)) e[nameof(f.AssignRule)] = new("Validation.Required");
        if (f.DueHours is < 1 or > 720) e[nameof(f.DueHours)] = new("ReturnVisit.Range", 1, 720);
        if (f.MaxFailedAttempts is < 1 or > 20) e[nameof(f.MaxFailedAttempts)] = new("ReturnVisit.Range", 1, 20);
        if (f.ConsultationSamplePercent is < 0 or > 100) e[nameof(f.ConsultationSamplePercent)] = new("ReturnVisit.Range", 0, 100);
        if (f.UnreachableAfterDays is < 1 or > 20) e[nameof(f.UnreachableAfterDays)] = new("ReturnVisit.Range", 1, 20);
        if (e.Count > 0) throw new ValidationFailedException(e);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE return_visit_settings SET assign_rule = @AssignRule, due_hours = @DueHours, max_failed_attempts = @MaxFailedAttempts,
                consultation_sample_percent = @ConsultationSamplePercent, unreachable_after_days = @UnreachableAfterDays, updated_at = @now
            """, new { f.AssignRule, f.DueHours, f.MaxFailedAttempts, f.ConsultationSamplePercent, f.UnreachableAfterDays, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    /// <summary>
    /// Samples the month's consultations for satisfaction callbacks (the configured percentage, each consultation at most once),
    /// spread over the team in turn. Returns the number of tasks created.
    /// </summary>
    public async Task<int> SampleConsultationsAsync(Actor actor, string period, CancellationToken ct = default)
    {
        actor.Require(Access.Supervisor);
        if (!Month.IsValid(period)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Period"] = new("Validation.Required") });
        var month = Month.Parse(period);
        var (from, to) = (month.Start, month.End);
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var settings = await conn.QuerySingleAsync<ReturnVisitSettings>(new CommandDefinition(ReturnVisitTasks.SelectSettings + " FOR UPDATE", transaction: tx, cancellationToken: ct));
        var n = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            WITH team AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n FROM users WHERE is_active AND 'return_visit' = ANY (roles)
            ), pool AS (
                SELECT ct.id, ct.customer_id, coalesce(ho.department_id, fr.department_id) AS department_id,
                       row_number() OVER (ORDER BY md5(ct.id::text)) AS rn, count(*) OVER () AS total
                FROM contacts ct
                JOIN users fr ON fr.id = ct.first_responder_id
                LEFT JOIN users ho ON ho.id = ct.handover_to_id
                WHERE ct.kind = 'consultation' AND ct.received_at >= @from AND ct.received_at < @to
                  AND NOT EXISTS (SELECT 1 FROM return_visit_tasks t WHERE t.contact_id = ct.id AND t.kind = 'consultation')
            ), picked AS (
                SELECT * FROM pool WHERE rn <= ceil(total * @percent / 100.0)
            ), ins AS (
                INSERT INTO return_visit_tasks (kind, contact_id, customer_id, department_id, assignee_id, due_at, scheduled_at, created_at)
                SELECT 'consultation', p.id, p.customer_id, p.department_id, tm.id, @due, @now, @now
                FROM picked p LEFT JOIN team tm ON tm.i = (p.rn - 1) % tm.n
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT count(*)::int FROM ins
            """, new { from, to, percent = settings.ConsultationSamplePercent, due = now.AddHours(settings.DueHours), now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return n;
    }
}
