using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Complaints;

/// <summary>Changes other features make to complaints they do not own: a leaver's hand-over, destruction, hot-complaint reporting.</summary>
public sealed partial class ComplaintLifecycle
{
    /// <summary>Offboarding (离职): the leaver's complaints not yet handled go to the successor. Returns how many.</summary>
    internal static Task<int> HandOverOpenComplaintsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int leaverId, int successorId, DateTimeOffset now,
        CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            $"""
            WITH leaving AS (
                -- Both rows locked and checked on their newest versions (a join in the UPDATE would check the state row it first read:
                -- a complaint handled meanwhile would still change hands).
                SELECT c.id FROM complaints c {ComplaintSql.JoinState}
                WHERE c.handler_id = @leaverId AND st.state = ANY (@unhandled)
                ORDER BY c.id
                FOR NO KEY UPDATE
            )
            UPDATE complaints c SET handler_id = @successorId, updated_at = @now
            WHERE c.id IN (SELECT id FROM leaving)
            """,
            new { leaverId, successorId, now, unhandled = ComplaintStates.Unhandled.ToArray() }, tx, cancellationToken: ct));

    /// <summary>
    /// Destruction (销档): the complaint's free text — what the customer said, the resolution, the reply, the close reason — is replaced
    /// by <paramref name="placeholder"/>; returns its customer (null when there is no such complaint).
    /// </summary>
    internal static Task<int?> BlankTextAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string placeholder, CancellationToken ct) =>
        conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            WITH st AS (UPDATE complaint_states SET close_reason = @x WHERE complaint_id = @id AND close_reason IS NOT NULL)
            UPDATE complaints SET content = @x, resolution = CASE WHEN resolution IS NULL THEN NULL ELSE @x END,
                reply = CASE WHEN reply IS NULL THEN NULL ELSE @x END
            WHERE id = @id RETURNING customer_id
            """, new { id, x = placeholder }, tx, cancellationToken: ct));

    /// <summary>Hot complaints: flagged (due to the group by <paramref name="dueAt"/>), on the complaint's timeline.</summary>
    internal static Task RecordHotFlaggedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, DateTimeOffset dueAt, DateTimeOffset now,
        CancellationToken ct) =>
        AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.HotFlagged, BusinessTime.Format(dueAt), ct);

    /// <summary>Hot complaints: the report sent to the group, on the complaint's timeline.</summary>
    internal static Task RecordHotReportSentAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, DateTimeOffset now, CancellationToken ct) =>
        AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.HotReportSent, "", ct);
}
