using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Data.ReturnVisits;

/// <summary>Repeat complaints (DOMAIN.md §4 closure): linked at intake; inside the week after handling they stop the clock and reopen the original.</summary>
public sealed class RepeatComplaints(NpgsqlDataSource db, TimeProvider clock, ComplaintLifecycle lifecycle)
{
    /// <summary>
    /// What the intake page offers for "repeat of": the customer's complaints handled or closed in the last 30 days, newest first,
    /// with whether a repeat now would still reopen them (inside the week after handling).
    /// </summary>
    public async Task<IReadOnlyList<RepeatCandidate>> CandidatesAsync(Actor actor, int customerId, CancellationToken ct = default)
    {
        actor.Require(Access.Intake);
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<RepeatCandidate>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, st.state, c.content, c.handled_at, false AS reopens FROM complaints c {ComplaintSql.JoinState}
            WHERE c.customer_id = @customerId AND st.state IN ('handled','closed') AND c.handled_at >= @since
            ORDER BY c.handled_at DESC
            """, new { customerId, since = now.AddDays(-30) }, cancellationToken: ct));
        return rows.Select(r => r with { Reopens = r.State == ComplaintStates.Handled && r.HandledAt is { } h && Closure.RepeatReopens(h, now) }).ToList();
    }

    /// <summary>
    /// Links a new complaint to the same customer's earlier one, in the registration's transaction. When that reopens the earlier
    /// complaint (inside the week), the new one is merged into it (counted once) and its open return visit is cancelled (and a closure
    /// waiting for its root cause no longer waits): handling it again creates a new one. Returns whether it reopened the earlier complaint.
    /// </summary>
    internal async Task<bool> LinkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long complaintId, long earlierId, int customerId,
        DateTimeOffset now, CancellationToken ct)
    {
        if (!await lifecycle.LinkRepeatAsync(conn, tx, actor, complaintId, earlierId, customerId, now, ct)) return false;
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE return_visit_tasks SET state = CASE WHEN state = 'done' THEN state ELSE 'cancelled' END, completed_at = coalesce(completed_at, @now),
                closure_pending = false
            WHERE complaint_id = @earlierId AND (state IN ('open','escalated') OR closure_pending)
            """, new { earlierId, now }, tx, cancellationToken: ct));
        return true;
    }
}
