using Dapper;
using Npgsql;

namespace ServiceHub.Data.Complaints;

/// <summary>The deadline stage machine of a complaint (<see cref="DeadlineStages"/>): set, stop, suspend, resume, and the next due time.</summary>
public sealed partial class ComplaintLifecycle
{
    /// <summary>
    /// (Re)schedules the complaint's active deadlines (one kind, or all): each moves next at its stage's next step — none while the
    /// complaint is merged into another (suspended: the stage is kept, so an unmerge resumes where it stood and a deadline missed
    /// meanwhile escalates at the next sweep). Then refreshes the complaint's next due time.
    /// </summary>
    private static async Task ScheduleAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyCollection<long> ids, string? kind, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition($"""
            UPDATE complaint_deadlines d
            SET next_at = CASE WHEN c.merged_into_id IS NULL THEN {DeadlineStages.NextAtSql("d.stage", "d.")} END
            FROM complaints c
            WHERE c.id = d.complaint_id AND d.complaint_id = ANY (@ids) AND d.active AND (@kind::text IS NULL OR d.kind = @kind)
            """, new { ids = ids.ToArray(), kind }, tx, cancellationToken: ct));
        await RefreshCurrentDueAsync(conn, tx, ids, ct);
    }

    /// <summary>
    /// The complaint's next due time: its nearest active escalating deadline (contact, reply; the feedback time and an agreed date are
    /// shown beside it), none while merged (it is out of the queue).
    /// </summary>
    private static Task RefreshCurrentDueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyCollection<long> ids, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition($"""
            UPDATE complaints c SET current_due_at = CASE WHEN c.merged_into_id IS NULL
                THEN (SELECT min(d.due_at) FROM complaint_deadlines d WHERE d.complaint_id = c.id AND d.active AND d.kind IN ({DeadlineKinds.EscalatingSql})) END
            WHERE c.id = ANY (@ids)
            """, new { ids = ids.ToArray() }, tx, cancellationToken: ct));

    /// <summary>
    /// Sets a deadline, replacing the previous one of the same kind: its warning time at the configured share of the interval
    /// (<see cref="ComplaintOptions.WarnShare"/>), its level-2 time one contact interval after it, its stage (warned at once when
    /// the warning time has passed), then schedules it.
    /// </summary>
    private async Task SetDeadlineAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, string kind, DateTimeOffset start,
        DateTimeOffset due, int level2AfterMinutes, DateTimeOffset now, CancellationToken ct)
    {
        var warn = Deadlines.WarnAt(start, due, Options.WarnShare);
        // A deadline that does not escalate has no level 2 (the column keeps its due time).
        var level2 = DeadlineKinds.Escalates(kind) ? Deadlines.Level2At(due, level2AfterMinutes) : due;
        var stage = DeadlineStages.Initial(now, warn);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complaint_deadlines (complaint_id, kind, starts_at, due_at, warn_at, level2_at, stage, next_at, active)
            VALUES (@complaintId, @kind, @start, @due, @warn, @level2, @stage, NULL, true)
            ON CONFLICT (complaint_id, kind) DO UPDATE SET starts_at = EXCLUDED.starts_at, due_at = EXCLUDED.due_at, warn_at = EXCLUDED.warn_at,
                level2_at = EXCLUDED.level2_at, stage = EXCLUDED.stage, active = true
            """, new { complaintId, kind, start, due, warn, level2, stage }, tx, cancellationToken: ct));
        await ScheduleAsync(conn, tx, [complaintId], kind, ct);
    }

    /// <summary>Moves the level-2 time of a deadline (the reply's follows the urgency chosen at dispatch) and reschedules it.</summary>
    private static async Task MoveLevel2Async(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, string kind, int afterMinutes, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaint_deadlines SET level2_at = due_at + make_interval(mins => @afterMinutes) WHERE complaint_id = @complaintId AND kind = @kind",
            new { complaintId, kind, afterMinutes }, tx, cancellationToken: ct));
        await ScheduleAsync(conn, tx, [complaintId], kind, ct);
    }

    /// <summary>Stops a deadline (one kind, or all): met or no longer due. It never moves again until set anew.</summary>
    private static async Task StopDeadlinesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, string? kind, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaint_deadlines SET active = false, next_at = NULL WHERE complaint_id = @complaintId AND (@kind::text IS NULL OR kind = @kind)",
            new { complaintId, kind }, tx, cancellationToken: ct));
        await RefreshCurrentDueAsync(conn, tx, [complaintId], ct);
    }
}
