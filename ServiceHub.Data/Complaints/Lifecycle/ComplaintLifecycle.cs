using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Complaints;

/// <summary>
/// The one writer of a complaint (DOMAIN.md §4). Every change of the record (<c>complaints</c>), of its deadlines
/// (<c>complaint_deadlines</c>) and of its timeline (<c>complaint_events</c>) is made here: the desk's steps (registration, dispatch,
/// contact, notes, handling, extension, transfer), the deadline stage machine (set, suspend, resume, refresh the next due time),
/// closing with a reason and reopening, counting's classification, verification, merges, online data and split-offs, the hand-over of
/// a leaver's complaints and the blanking of a destroyed one. Each change locks the complaint, checks <see cref="ComplaintPermissions"/>
/// on the locked row, changes it with a guarded statement and writes its event, in one transaction.
/// <para>
/// The desk calls the public methods (each its own transaction). Other features call the internal ones inside their own transaction
/// (intake, counting, return visits, hot complaints, offboarding, information destruction). The set-based statements — the escalation
/// sweep and the closures — live beside it in this folder. Test fixtures and benchmark seeders may bulk-insert rows; nothing else writes
/// these tables.
/// </para>
/// </summary>
public sealed partial class ComplaintLifecycle(NpgsqlDataSource db, TimeProvider clock, IOptions<ComplaintOptions> options, Admin.AuditLog audit)
{
    private ComplaintOptions Options => options.Value;

    /// <summary>The longest reason or note the desk accepts (every text input has a limit).</summary>
    public const int ReasonMax = 500;
    public const int NoteMax = 2000;
    /// <summary>The longest resolution or reply.</summary>
    public const int TextMax = 4000;

    /// <summary>A complaint locked for a change, with what the permission matrix and the state guard read.</summary>
    /// <remarks>
    /// Both rows are locked, the complaint and its state row (<see cref="ComplaintSql.JoinState"/>): the closures change only the state
    /// row, so a change that read the state must hold it. <c>FOR NO KEY UPDATE</c>, not <c>FOR UPDATE</c>: a closure that holds a state
    /// row checks its events' reference to the complaint with a key-share lock, which a key-preserving lock lets through (with
    /// <c>FOR UPDATE</c> the two would wait on each other's row).
    /// </remarks>
    internal sealed record Locked(long Id, string SheetNo, string State, int? DepartmentId, long? MergedIntoId, string? MergedIntoSheetNo);

    internal static async Task<Locked> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, st.state, c.department_id, c.merged_into_id, {ComplaintSql.MergedIntoSheetNo} AS merged_into_sheet_no
            FROM complaints c {ComplaintSql.JoinState} WHERE c.id = @id FOR NO KEY UPDATE
            """, new { id }, tx, cancellationToken: ct))
        ?? throw new DomainException("NotFound");

    /// <summary>Locks the complaint and refuses the action unless the matrix allows it to <paramref name="actor"/> now.</summary>
    internal static async Task<Locked> LockForAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, string action, CancellationToken ct)
    {
        var c = await LockAsync(conn, tx, id, ct);
        ComplaintPermissions.Require(actor, action, c.State, c.DepartmentId, c.MergedIntoSheetNo);
        return c;
    }

    private static int? ActorId(Actor actor) => actor.Id == 0 ? null : actor.Id;

    /// <summary>
    /// A guarded state change of complaint <c>@id</c>, as the CTE <c>st</c> of the state row it moved from <paramref name="from"/> to
    /// <paramref name="to"/> (none when the state was another): the complaint's own update follows it, <c>WHERE id = (SELECT complaint_id
    /// FROM st)</c>, so both rows change or neither.
    /// </summary>
    private static string MoveState(string from, string to) =>
        $"WITH st AS (UPDATE complaint_states SET state = '{to}' WHERE complaint_id = @id AND state = '{from}' RETURNING complaint_id)";

    /// <summary>The timeline's one writer: an event with who and when, and the deadline it moved (before → after) when it moved one.</summary>
    private static Task AddEventAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, DateTimeOffset at, Actor actor, string kind,
        string details, CancellationToken ct, DateTimeOffset? before = null, DateTimeOffset? after = null) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complaint_events (complaint_id, at, actor_id, actor_name, kind, details, deadline_before, deadline_after)
            VALUES (@complaintId, @at, @actorId, @actorName, @kind, @details, @before, @after)
            """, new { complaintId, at, actorId = ActorId(actor), actorName = actor.DisplayName, kind, details, before, after }, tx, cancellationToken: ct));

    private static Task TouchAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("UPDATE complaints SET updated_at = @now WHERE id = @id", new { id, now }, tx, cancellationToken: ct));
}
