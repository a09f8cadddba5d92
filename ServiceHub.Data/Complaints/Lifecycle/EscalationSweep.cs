using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Data.Complaints;

/// <summary>
/// The escalation sweep, set-based beside <see cref="ComplaintLifecycle"/>: every deadline whose next stage is due moves one stage
/// (<see cref="DeadlineStages"/>: pending → warned → level1 → level2, or pending → warned → missed for a deadline that does not
/// escalate), records an event and notifies the people concerned — the handler (warning, miss), the department manager (level 1),
/// the supervising vice-president (level 2). The warning or miss of a complaint nobody handles yet goes to the department's active
/// handlers as one department event, read through the roster of that moment (sql/0250_department_notifications.sql), not one row each. One set-based statement over the partial index on <c>next_at</c>; rows locked by a concurrent
/// sweep are skipped, and the stage guard plus the events' and notifications' dedupe keys make a repeat change nothing. The
/// escalations that reach people outside the app queue their messages in the outbox in the same statement (<see cref="OutboxSql"/>).
/// </summary>
public sealed class EscalationSweep(NpgsqlDataSource db, TimeProvider clock, IOptions<ComplaintOptions> options)
{
    public const int BatchSize = 5000;

    public static readonly string SweepSql = $"""
        WITH due AS (
            SELECT d.id FROM complaint_deadlines d
            WHERE d.next_at <= @now
            ORDER BY d.next_at
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
        ), moved AS (
            UPDATE complaint_deadlines d SET
                stage = {DeadlineStages.NextSql("d.stage", "d.kind")},
                next_at = {DeadlineStages.NextAtSql(DeadlineStages.NextSql("d.stage", "d.kind"), "d.")}
            -- By primary key: a join against the CTE lets the planner nest-loop it against the next_at index (1,000 × 1,000).
            WHERE d.id = ANY (ARRAY(SELECT id FROM due)) AND d.next_at <= @now
            RETURNING d.id, d.complaint_id, d.kind, d.stage AS new_stage, d.due_at,
                      'dl:' || d.id || ':' || d.stage || ':' || extract(epoch FROM d.due_at)::bigint AS dedupe_key
        ), events AS (
            INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details, deadline_before, deadline_after, dedupe_key)
            SELECT m.complaint_id, @now, 'system', '{ComplaintEvents.DeadlinePrefix}' || m.new_stage, m.kind, m.due_at, m.due_at, m.dedupe_key
            FROM moved m
            ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
        ), levels AS (
            UPDATE complaints c SET escalation_level = greatest(c.escalation_level, x.level)
            FROM (SELECT complaint_id, max(CASE new_stage WHEN 'level1' THEN 1 ELSE 2 END) AS level
                  FROM moved WHERE new_stage IN ('level1','level2') GROUP BY complaint_id) x
            WHERE c.id = x.complaint_id
        ), targets AS (
            SELECT m.complaint_id, m.new_stage, m.dedupe_key, c.handler_id,
                   -- The message, the same for a department event and a person's row.
                   'Notify.Deadline.' || m.new_stage AS message_key,
                   ARRAY[c.sheet_no, m.kind, to_char(m.due_at AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM-DD HH24:MI')] AS args,
                   '/complaints/' || m.complaint_id AS link,
                   dep.id AS department_id, dep.manager_user_id, dep.supervising_vp_id,
                   -- A warning or miss of a complaint nobody handles yet is the department's: one event for its handlers.
                   m.new_stage IN ('warned','missed') AND c.handler_id IS NULL AS for_department
            FROM moved m
            JOIN complaints c ON c.id = m.complaint_id
            LEFT JOIN departments dep ON dep.id = coalesce(c.department_id, (SELECT id FROM departments WHERE code = @complaintDept))
        ), handlers AS (
            -- The active handlers of each department concerned, found once (not once per deadline), as one sorted set.
            SELECT u.department_id, array_agg(u.id ORDER BY u.id) AS ids FROM users u
            WHERE u.is_active AND 'handler' = ANY (u.roles)
              AND u.department_id IN (SELECT t.department_id FROM targets t WHERE t.for_department)
            GROUP BY u.department_id
        ), rosters AS (
            -- The department's membership of this moment, written the first time it is needed (DO UPDATE returns an existing one).
            INSERT INTO notification_rosters (department_id, role, user_ids)
            SELECT h.department_id, 'handler', h.ids FROM handlers h
            ON CONFLICT (department_id, role, user_ids) DO UPDATE SET role = EXCLUDED.role
            RETURNING id, department_id, user_ids
        ), writing AS (
            -- Held until commit: the readers' read-through id never passes an event still being written (NotificationRepository).
            SELECT pg_advisory_xact_lock_shared({NotificationRepository.DepartmentEventsLock}) AS locked
        ), department_notes AS (
            INSERT INTO department_notifications (roster_id, created_at, kind, complaint_id, message_key, args, link, dedupe_key)
            SELECT r.id, @now, 'escalation', t.complaint_id, t.message_key, t.args, t.link, t.dedupe_key
            FROM targets t
            JOIN rosters r ON r.department_id = t.department_id
            CROSS JOIN writing
            WHERE t.for_department
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING roster_id
        ), notes AS (
            -- The handler (warning, miss), the manager (level 1), the vice-president (level 2): one person per deadline stage, so no
            -- DISTINCT; the dedupe key keeps a repeat from writing twice.
            INSERT INTO notifications (user_id, created_at, kind, complaint_id, message_key, args, link, dedupe_key)
            SELECT r.user_id, @now, 'escalation', t.complaint_id, t.message_key, t.args, t.link, t.dedupe_key
            FROM targets t
            CROSS JOIN LATERAL (SELECT CASE
                WHEN t.new_stage = 'level1' THEN t.manager_user_id
                WHEN t.new_stage = 'level2' THEN t.supervising_vp_id
                ELSE t.handler_id END) AS r(user_id)
            WHERE NOT t.for_department AND r.user_id IS NOT NULL
            ON CONFLICT (user_id, dedupe_key) DO NOTHING
            RETURNING id, user_id, complaint_id, message_key, args, link
        ){OutboxSql.FromNotifications("notes", "@now")}
        SELECT (SELECT count(*) FROM moved)::int AS stages_advanced,
               ((SELECT count(*) FROM notes) + (SELECT coalesce(sum(cardinality(r.user_ids)), 0) FROM department_notes d JOIN rosters r ON r.id = d.roster_id))::int
                   AS notifications
        """;

    /// <summary>Runs the sweep until nothing more is due (a deadline overdue for long moves through each stage in turn).</summary>
    public async Task<SweepResult> RunAsync(CancellationToken ct = default)
    {
        var total = new SweepResult(0, 0);
        for (var round = 0; round < 10; round++)
        {
            var r = await RunOnceAsync(ct);
            total = new SweepResult(total.StagesAdvanced + r.StagesAdvanced, total.Notifications + r.Notifications);
            if (r.StagesAdvanced == 0) break;
        }
        return total;
    }

    public async Task<SweepResult> RunOnceAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var r = await conn.QuerySingleAsync<SweepResult>(new CommandDefinition(SweepSql,
            new { now = clock.GetUtcNow(), batch = BatchSize, complaintDept = options.Value.ComplaintDepartmentCode }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return r;
    }
}
