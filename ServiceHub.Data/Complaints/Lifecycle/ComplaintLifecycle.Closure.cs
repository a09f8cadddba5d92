using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.ReturnVisits;

namespace ServiceHub.Data.Complaints;

/// <summary>
/// Closure (DOMAIN.md §4): closed with a reason — the customer satisfied at the return visit, or one week after handling without a
/// return visit and without a repeat complaint — never without a root cause; reopened when the customer is not satisfied or repeats
/// the complaint inside the week.
/// </summary>
public sealed partial class ComplaintLifecycle
{
    /// <summary>Closes a handled complaint with its reason (guarded: a closed or reopened complaint is left alone). The root cause is required.</summary>
    internal static async Task<bool> CloseAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long complaintId, string reason, DateTimeOffset now,
        CancellationToken ct)
    {
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaint_states SET state = 'closed', closed_at = @now, close_reason = @reason
            WHERE complaint_id = @complaintId AND state = 'handled' AND root_cause_id IS NOT NULL
            """, new { complaintId, now, reason }, tx, cancellationToken: ct));
        if (n == 0) return false;
        await AddEventAsync(conn, tx, complaintId, now, actor, ComplaintEvents.Closed, reason, ct);
        return true;
    }

    /// <summary>
    /// Back to handling (return visit not satisfied, or a repeat complaint inside the week): state 'contacted', a new reply deadline
    /// 48 h from now, a 'reopened' event with the customer's words, a notification to the department. Returns false when the
    /// complaint was not handled (nothing changed).
    /// </summary>
    internal async Task<bool> ReopenAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, string words, DateTimeOffset now, CancellationToken ct)
    {
        var due = Deadlines.ReplyDue(now);
        var row = await conn.QuerySingleOrDefaultAsync<(int? DepartmentId, int? HandlerId, int? Urgency, string SheetNo)?>(new CommandDefinition($"""
            {MoveState(ComplaintStates.Handled, ComplaintStates.Contacted)}
            UPDATE complaints SET reply_due_at = @due, current_due_at = @due, agreed_reply_at = NULL, updated_at = @now
            WHERE id = (SELECT complaint_id FROM st)
            RETURNING department_id, handler_id, urgency_minutes, sheet_no
            """, new { id, due, now }, tx, cancellationToken: ct));
        if (row is not { } r) return false;
        await SetDeadlineAsync(conn, tx, id, DeadlineKinds.Reply, now, due, r.Urgency ?? 120, now, ct);
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Reopened, words, ct, after: due);
        var recipients = (await conn.QueryAsync<int>(new CommandDefinition("""
            SELECT id FROM users WHERE is_active AND department_id = @dept AND ('handler' = ANY (roles) OR 'dept_manager' = ANY (roles))
            """, new { dept = r.DepartmentId }, tx, cancellationToken: ct))).ToList();
        if (r.HandlerId is { } h) recipients.Add(h);
        await NotificationRepository.NotifyAsync(conn, tx, recipients, now, "complaint", id, "ReturnVisit.Notify.Reopened", [r.SheetNo, words], $"/complaints/{id}",
            $"reopen:{id}:{now.ToUnixTimeMilliseconds()}", ct);
        return true;
    }

    /// <summary>
    /// The outcome of a reached return visit, on the complaint's timeline; it decides the complaint: satisfied closes it (reason
    /// <c>return-visit-satisfied</c>) or, without a root cause yet, leaves the closure pending; not satisfied reopens it with the
    /// customer's words. A complaint that is no longer handled is left as it is. Returns its state and whether the closure is pending.
    /// </summary>
    internal async Task<(string State, bool ClosurePending)> RecordReturnVisitAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id,
        bool satisfied, string words, DateTimeOffset now, CancellationToken ct)
    {
        var (state, rootCause) = await conn.QuerySingleAsync<(string, int?)>(new CommandDefinition(
            $"SELECT st.state, c.root_cause_id FROM complaints c {ComplaintSql.JoinState} WHERE c.id = @id FOR NO KEY UPDATE", new { id }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.ReturnVisit, satisfied ? Outcomes.Satisfied : $"{Outcomes.NotSatisfied}: {words}", ct);
        if (state != ComplaintStates.Handled) return (state, false);
        if (satisfied)
            return rootCause is null ? (state, true)
                : await CloseAsync(conn, tx, actor, id, CloseReasons.ReturnVisitSatisfied, now, ct) ? (ComplaintStates.Closed, false) : (state, false);
        return await ReopenAsync(conn, tx, actor, id, words, now, ct) ? (ComplaintStates.Contacted, false) : (state, false);
    }

    /// <summary>
    /// The return-visit lead closed the visit as unreachable (issue #11 point 5): on the timeline, with the times of the failed attempts;
    /// a handled complaint is marked, so the one-week closure treats it as a complaint without a return visit.
    /// </summary>
    internal static async Task RecordReturnVisitUnreachableAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id,
        IReadOnlyList<DateTimeOffset> failedAttempts, string note, DateTimeOffset now, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition(
            """
            WITH handled AS (
                -- The state row locked and its state checked on its newest version (a join in the UPDATE would check the version it read).
                SELECT st.complaint_id FROM complaint_states st WHERE st.complaint_id = @id AND st.state = 'handled' FOR NO KEY UPDATE
            )
            UPDATE complaints c SET return_visit_unreachable_at = @now, updated_at = @now
            WHERE c.id = (SELECT complaint_id FROM handled)
            """,
            new { id, now }, tx, cancellationToken: ct));
        var attempts = string.Join("、", failedAttempts.Select(a => BusinessTime.Format(a)));
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.ReturnVisitUnreachable, note.Length == 0 ? attempts : $"{attempts} · {note}", ct);
    }

    /// <summary>
    /// The CS supervisor sets whether the complaint needs a return visit (issue #11 point 5), with a reason: on the timeline and in the
    /// audit log. On a handled complaint the change takes effect at once: no longer needed cancels the open visit (the complaint then
    /// closes one week after its handling); needed creates the visit.
    /// </summary>
    public async Task SetReturnVisitNeedAsync(Actor actor, long id, bool needed, string reason, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.ReturnVisitNeed);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Reason", reason, ReasonMax);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var c = await LockForAsync(conn, tx, actor, id, ComplaintAction.ReturnVisitNeed, ct);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            var now = clock.GetUtcNow();
            var n = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE complaints SET needs_return_visit = @needed, return_visit_unreachable_at = NULL, updated_at = @now
                WHERE id = @id AND needs_return_visit <> @needed
                """, new { id, needed, now }, tx, cancellationToken: ct));
            if (n == 0) throw new DomainException(needed ? "ReturnVisit.Need.AlreadyNeeded" : "ReturnVisit.Need.AlreadyNotNeeded");
            await AddEventAsync(conn, tx, id, now, actor, needed ? ComplaintEvents.ReturnVisitNeeded : ComplaintEvents.ReturnVisitNotNeeded, reason.Trim(), ct);
            await audit.WriteAsync(conn, tx, actor, Admin.AuditLog.Actions.Update, "complaint", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{c.SheetNo} needs_return_visit={needed.ToString().ToLowerInvariant()} · {reason.Trim()}", ct);
            if (c.State != ComplaintStates.Handled) return;
            if (needed) await ReturnVisitTasks.CreateForHandledAsync(conn, tx, id, now, ct);
            else await ReturnVisitTasks.CancelOpenAsync(conn, tx, id, now, ct);
        }, ct);
    }

    /// <summary>
    /// A repeat complaint, linked at intake to the same customer's earlier complaint: recorded on both. Inside the week after the earlier
    /// one was handled it reopens it (the clock of its auto-closure stops) and, being the same complaint raised again, is merged into it
    /// (counting rule 3: counted once, with one more time; handled and escalated through the original). Returns whether it reopened
    /// (and was merged into) the earlier complaint. After the week it is a complaint of its own and the earlier one is left alone.
    /// </summary>
    internal async Task<bool> LinkRepeatAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long complaintId, long earlierId, int customerId,
        DateTimeOffset now, CancellationToken ct)
    {
        var earlier = await conn.QuerySingleOrDefaultAsync<(int CustomerId, string State, DateTimeOffset? HandledAt)?>(new CommandDefinition(
            $"SELECT c.customer_id, st.state, c.handled_at FROM complaints c {ComplaintSql.JoinState} WHERE c.id = @earlierId AND c.id <> @complaintId FOR NO KEY UPDATE",
            new { earlierId, complaintId }, tx, cancellationToken: ct));
        if (earlier is not { } e || e.CustomerId != customerId)
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["RepeatOfComplaintId"] = new("ReturnVisit.RepeatNotSameCustomer") });
        var (sheetNo, content) = await conn.QuerySingleAsync<(string, string)>(new CommandDefinition(
            "UPDATE complaints SET repeat_of_complaint_id = @earlierId WHERE id = @complaintId RETURNING sheet_no, content",
            new { earlierId, complaintId }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, earlierId, now, actor, ComplaintEvents.RepeatComplaint, sheetNo, ct);
        var reopened = e.State == ComplaintStates.Handled && e.HandledAt is { } handledAt && Closure.RepeatReopens(handledAt, now)
            && await ReopenAsync(conn, tx, actor, earlierId, $"{sheetNo}: {content}", now, ct);
        if (reopened) await MergeAsync(conn, tx, actor, ComplaintAction.Attach, earlierId, complaintId, ct);
        return reopened;
    }

    /// <summary>
    /// One batch of the one-week auto-closure, set-based: every complaint handled at or before <c>@cutoff</c> without a return visit (or
    /// whose return visit was closed as unreachable), classified, with no repeat complaint inside the week after its handling, closed with reason <c>auto-one-week</c> and its event — written only for
    /// the rows the guarded UPDATE changed. Only the narrow state rows are written (sql/0310): the complaint's own row is not touched.
    /// The rows are picked by their physical address (a TID scan, no second index lookup); a row changed meanwhile by a user (reopened by
    /// a repeat complaint) has a new address or fails the state guard, so it is left alone.
    /// </summary>
    public static readonly string AutoCloseSql = $"""
        WITH eligible AS MATERIALIZED (
            SELECT st.ctid AS tid FROM complaint_states st
            WHERE st.state = 'handled' AND st.handled_at <= @cutoff AND {ComplaintSql.ClosesByTheWeek} AND st.root_cause_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM complaints r WHERE r.repeat_of_complaint_id = st.complaint_id AND {ComplaintSql.RepeatInsideTheWeek})
            -- In the order of complaint_states_autoclose_idx: without it the planner walked the whole table in id order (a merge anti join
            -- against the repeats' index) hoping to meet a batch early — 1,000,000 rows read when nothing or only the newest were due.
            ORDER BY st.handled_at
            LIMIT @batch
        ), closed AS (
            UPDATE complaint_states st SET state = 'closed', closed_at = @now, close_reason = '{CloseReasons.AutoOneWeek}'
            WHERE st.ctid = ANY (ARRAY(SELECT tid FROM eligible)) AND st.state = 'handled'
            RETURNING st.complaint_id AS id
        ), events AS (
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details)
            SELECT id, @now, 'system', '{ComplaintEvents.Closed}', '{CloseReasons.AutoOneWeek}' FROM closed
        )
        SELECT count(*)::int FROM closed
        """;

    /// <summary>
    /// One batch of the pending closures, set-based: a satisfied return visit waited for the complaint's root cause; once classified
    /// the complaint closes with reason <c>return-visit-satisfied</c> and the task's pending flag clears. Rows locked by a user are skipped.
    /// </summary>
    public const string PendingCloseSql = $"""
        WITH eligible AS (
            SELECT st.complaint_id AS id, t.id AS task_id FROM return_visit_tasks t
            JOIN complaint_states st ON st.complaint_id = t.complaint_id
            WHERE t.closure_pending AND st.state = 'handled' AND st.root_cause_id IS NOT NULL AND t.completed_at >= st.handled_at
            LIMIT @batch
            FOR UPDATE OF st, t SKIP LOCKED
        ), closed AS (
            UPDATE complaint_states st SET state = 'closed', closed_at = @now, close_reason = '{CloseReasons.ReturnVisitSatisfied}'
            FROM eligible e
            WHERE st.complaint_id = e.id AND st.state = 'handled'
            RETURNING st.complaint_id AS id
        ), cleared AS (
            UPDATE return_visit_tasks t SET closure_pending = false FROM eligible e WHERE t.id = e.task_id
        ), events AS (
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details)
            SELECT id, @now, 'system', '{ComplaintEvents.Closed}', '{CloseReasons.ReturnVisitSatisfied}' FROM closed
        )
        SELECT count(*)::int FROM closed
        """;

    /// <summary>Runs one batch of a set-based closure (<see cref="AutoCloseSql"/>, <see cref="PendingCloseSql"/>) in the caller's transaction.</summary>
    internal static Task<int> CloseBatchAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string closureSql, DateTimeOffset now, DateTimeOffset cutoff,
        int batch, CancellationToken ct) =>
        conn.ExecuteScalarAsync<int>(new CommandDefinition(closureSql, new { now, cutoff, batch }, tx, cancellationToken: ct));
}
