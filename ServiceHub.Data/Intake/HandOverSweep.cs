using Dapper;
using Npgsql;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Intake;

/// <summary>
/// The hand-overs not taken up in time (DOMAIN.md §8: 「首问人没有及时将办事人拟办的事项移交」): each is flagged once — the first
/// responder is notified, and the sheet is put on HR's spot-check list of the period, pre-filled with that breach. Run by a recurring
/// job; a guarded UPDATE and dedupe keys make a repeat (or a second sweep at the same time) change nothing.
/// </summary>
public sealed class HandOverSweep(NpgsqlDataSource db, TimeProvider clock)
{
    private sealed record Overdue(long Id, string RegisterNo, string? SheetNo, string Kind, int FirstResponderId, long? ComplaintId, DateTimeOffset HandoverDueAt, string? ToName);

    private const string FlagSql = """
        WITH flagged AS (
            UPDATE contacts SET handover_flagged_at = @now
            WHERE handover_due_at < @now AND handover_taken_at IS NULL AND handover_result IS NULL AND handover_flagged_at IS NULL
            RETURNING id, register_no, sheet_no, kind, first_responder_id, handover_to_id, handover_due_at
        )
        SELECT f.id, f.register_no, f.sheet_no, f.kind, f.first_responder_id, c.id AS complaint_id, f.handover_due_at, u.display_name AS to_name
        FROM flagged f
        LEFT JOIN complaints c ON c.contact_id = f.id
        LEFT JOIN users u ON u.id = f.handover_to_id
        ORDER BY f.id
        """;

    /// <summary>Flags every hand-over past its due time and not taken up; returns how many were flagged now.</summary>
    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var period = Month.Of(now).ToString();
        return await db.InTransactionAsync(async (conn, tx) =>
        {
            var overdue = (await conn.QueryAsync<Overdue>(new CommandDefinition(FlagSql, new { now }, tx, cancellationToken: ct))).AsList();
            foreach (var o in overdue)
            {
                await NotificationRepository.NotifyAsync(conn, tx, [o.FirstResponderId], now, "handover", o.ComplaintId, "Notify.HandOverOverdue",
                    [o.RegisterNo, o.ToName ?? "", BusinessTime.Format(o.HandoverDueAt)], $"/intake/contacts/{o.Id}", $"handover-overdue:{o.Id}", ct);
                await SpotCheckRepository.FlagAsync(conn, tx, period, o.Id, o.ComplaintId, o.Kind, o.FirstResponderId, SpotCheckSources.HandOverOverdue, ct);
            }
            return overdue.Count;
        }, ct);
    }
}
