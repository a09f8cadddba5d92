using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.ReturnVisits;

/// <summary>
/// The closure sweep (DOMAIN.md §4 closure): closes, set-based, every complaint handled without a return visit one week ago with no
/// repeat complaint, and every complaint whose satisfied return visit waited for its root cause (the closing statements are the
/// complaint lifecycle's, <see cref="ComplaintLifecycle.AutoCloseSql"/> and <see cref="ComplaintLifecycle.PendingCloseSql"/>); sends
/// "call back" reminders whose time has passed. A complaint without a root cause is never closed: it is counted as awaiting classification.
/// Each batch is one transaction (closure + event together, so a restart loses and duplicates nothing); the state guard makes a repeat
/// close nothing twice (the event is written only for the rows the guarded UPDATE actually changed); a transaction-level advisory lock keeps two servers from racing (the second steps aside), and the pending
/// closures also skip rows locked by a user (<c>FOR UPDATE SKIP LOCKED</c>).
/// </summary>
public sealed class ClosureSweep(NpgsqlDataSource db, TimeProvider clock, IOptions<ClosureOptions>? options = null)
{
    public const int BatchSize = ClosureOptions.DefaultBatchSize;
    private readonly int _batch = Math.Max(1, options?.Value.BatchSize ?? BatchSize);
    /// <summary>Advisory lock key of the sweep ('RVCL').</summary>
    public const long LockKey = 0x5256434C;

    /// <summary>Sends due reminders: one, by id (the delayed job), or all whose time has passed (the sweep). Returns the number sent.</summary>
    public static readonly string RemindSql = $"""
        WITH due AS (
            UPDATE return_visit_reminders r SET sent_at = @now
            WHERE r.sent_at IS NULL AND r.remind_at <= @now AND (@id::bigint IS NULL OR r.id = @id)
            RETURNING r.id, r.task_id, r.remind_at
        ), notes AS (
            INSERT INTO notifications (user_id, created_at, kind, complaint_id, message_key, args, link, dedupe_key)
            SELECT t.assignee_id, @now, 'return-visit', t.complaint_id, 'ReturnVisit.Notify.CallBack',
                   ARRAY[coalesce(c.sheet_no, ct.register_no, ''), cu.name, to_char(d.remind_at AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM-DD HH24:MI')],
                   '/return-visits/' || t.id, 'rv-remind:' || d.id
            FROM due d
            JOIN return_visit_tasks t ON t.id = d.task_id
            JOIN customers cu ON cu.id = t.customer_id
            LEFT JOIN complaints c ON c.id = t.complaint_id
            LEFT JOIN contacts ct ON ct.id = t.contact_id
            WHERE t.assignee_id IS NOT NULL AND t.state IN ('open','escalated')
            ON CONFLICT (user_id, dedupe_key) DO NOTHING
            RETURNING id, user_id, complaint_id, message_key, args, link
        ){Notifications.OutboxSql.FromNotifications("notes", "@now")}
        SELECT count(*)::int FROM notes
        """;

    /// <summary>
    /// Handled complaints whose closure waits for a root cause: counted on the state rows alone, in complaint_states_unclassified_idx
    /// (its predicate, <c>state = 'handled' AND root_cause_id IS NULL</c>, on <c>st</c>).
    /// </summary>
    public const string AwaitingSql = $"""
        SELECT count(*)::int FROM complaint_states st
        WHERE st.state = 'handled' AND st.root_cause_id IS NULL
          AND (({ComplaintSql.ClosesByTheWeek} AND st.handled_at <= @cutoff)
               OR EXISTS (SELECT 1 FROM return_visit_tasks t WHERE t.complaint_id = st.complaint_id AND t.closure_pending))
        """;

    public async Task<ClosureResult> RunAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var cutoff = Closure.AutoCloseCutoff(now);
        int oneWeek = 0, afterVisit = 0;
        bool skipped = false;
        while (true)
        {
            var (n, got) = await BatchAsync(ComplaintLifecycle.AutoCloseSql, now, cutoff, ct);
            skipped |= !got;
            oneWeek += n;
            if (n < _batch) break;
        }
        while (true)
        {
            var (n, got) = await BatchAsync(ComplaintLifecycle.PendingCloseSql, now, cutoff, ct);
            skipped |= !got;
            afterVisit += n;
            if (n < _batch) break;
        }
        var reminders = await SendRemindersAsync(null, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var awaiting = await conn.ExecuteScalarAsync<int>(new CommandDefinition(AwaitingSql, new { cutoff }, cancellationToken: ct));
        return new ClosureResult(oneWeek, afterVisit, reminders, awaiting, skipped);
    }

    /// <summary>One batch in one transaction, under the sweep's advisory lock; another server holding it makes this one step aside.</summary>
    private async Task<(int Closed, bool Locked)> BatchAsync(string sql, DateTimeOffset now, DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var locked = await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_xact_lock(@LockKey)", new { LockKey }, tx, cancellationToken: ct));
        if (!locked) return (0, false);
        var n = await ComplaintLifecycle.CloseBatchAsync(conn, tx, sql, now, cutoff, _batch, ct);
        await tx.CommitAsync(ct);
        return (n, true);
    }

    /// <summary>The delayed job's entry point (one reminder) and the sweep's catch-up (all due ones); a sent reminder is never sent again.</summary>
    public async Task<int> SendRemindersAsync(long? reminderId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(RemindSql, new { id = reminderId, now = clock.GetUtcNow() }, cancellationToken: ct));
    }
}
