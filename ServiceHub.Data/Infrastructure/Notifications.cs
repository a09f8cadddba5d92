using Dapper;
using Npgsql;

namespace ServiceHub.Data.Infrastructure;

public sealed record Notification(long Id, DateTimeOffset CreatedAt, string Kind, long? ComplaintId, string MessageKey, string[] Args, string Link, DateTimeOffset? ReadAt);

/// <summary>
/// In-app notifications for the people concerned; the bell in the app bar reads them. A person's inbox is their own rows
/// (<c>notifications</c>) and the department events of the rosters they are in (<c>department_notifications</c>: the escalation
/// sweep's warnings to a department's handlers, one row per event, sql/0250), each read once the person has a read mark. Both share one
/// id sequence, so the inbox is ordered by id and an id names one notification.
/// </summary>
public sealed class NotificationRepository(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>
    /// Advisory lock the escalation sweep holds (shared) while it writes department events; moving a person's read-through id takes it
    /// exclusively, or waits for the next read, so that id never passes an event whose transaction has not committed yet.
    /// </summary>
    public const long DepartmentEventsLock = 1402;

    /// <summary>The rosters (a department's handlers at a moment) a person is in: which department events are theirs.</summary>
    private const string MyRosters = "ARRAY(SELECT r.id FROM notification_rosters r WHERE @userId = ANY (r.user_ids))";

    private const string ReadThrough = "coalesce((SELECT t.notification_id FROM notification_read_through t WHERE t.user_id = @userId), 0)";

    /// <summary>A person's unread department events: above their read-through id, without a read mark (per roster, by index).</summary>
    private const string UnreadDepartmentEvents = $"""
        SELECT e.id FROM unnest({MyRosters}) AS mine(roster_id)
        JOIN department_notifications e ON e.roster_id = mine.roster_id AND e.id > {ReadThrough}
        WHERE NOT EXISTS (SELECT 1 FROM department_notification_reads x WHERE x.user_id = @userId AND x.notification_id = e.id)
        """;

    public async Task<int> UnreadCountAsync(int userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition($"""
            SELECT (SELECT count(*) FROM notifications WHERE user_id = @userId AND read_at IS NULL)
                 + (SELECT count(*) FROM ({UnreadDepartmentEvents}) u)
            """, new { userId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Notification>> RecentAsync(int userId, int take = 20, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Notification>(new CommandDefinition($"""
            SELECT * FROM (
                (SELECT id, created_at, kind, complaint_id, message_key, args, link, read_at
                 FROM notifications WHERE user_id = @userId ORDER BY id DESC LIMIT @take)
                UNION ALL
                SELECT e.id, e.created_at, e.kind, e.complaint_id, e.message_key, e.args, e.link, x.read_at
                FROM unnest({MyRosters}) AS mine(roster_id)
                CROSS JOIN LATERAL (SELECT * FROM department_notifications d WHERE d.roster_id = mine.roster_id ORDER BY d.id DESC LIMIT @take) e
                LEFT JOIN department_notification_reads x ON x.user_id = @userId AND x.notification_id = e.id
            ) inbox
            ORDER BY id DESC LIMIT @take
            """, new { userId, take = Search.Take(take) }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Marks one notification (<paramref name="id"/>) or every unread one as read for this person only: their own rows get their read
    /// time, a department event a read mark of theirs. Then their read-through id moves up to just below their oldest unread event.
    /// </summary>
    public async Task MarkReadAsync(int userId, long? id = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var args = new { userId, id, now = clock.GetUtcNow() };
        await conn.ExecuteAsync(new CommandDefinition($"""
            UPDATE notifications SET read_at = @now WHERE user_id = @userId AND read_at IS NULL AND (@id IS NULL OR id = @id);
            INSERT INTO department_notification_reads (user_id, notification_id, read_at)
            SELECT @userId, u.id, @now FROM ({UnreadDepartmentEvents}) u WHERE @id IS NULL OR u.id = @id
            ON CONFLICT DO NOTHING;
            """, args, tx, cancellationToken: ct));
        // Only when no department event is being written (the sweep holds the lock until it commits); otherwise the next read moves it.
        if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition($"SELECT pg_try_advisory_xact_lock({DepartmentEventsLock})", null, tx, cancellationToken: ct)))
            await conn.ExecuteAsync(new CommandDefinition($"""
                INSERT INTO notification_read_through (user_id, notification_id)
                SELECT @userId, coalesce((SELECT min(u.id) - 1 FROM ({UnreadDepartmentEvents}) u),
                                         (SELECT max(e.id) FROM unnest({MyRosters}) AS mine(roster_id)
                                          CROSS JOIN LATERAL (SELECT max(d.id) AS id FROM department_notifications d WHERE d.roster_id = mine.roster_id) e), 0)
                WHERE EXISTS (SELECT 1 FROM notification_rosters r WHERE @userId = ANY (r.user_ids))
                ON CONFLICT (user_id) DO UPDATE SET notification_id = greatest(notification_read_through.notification_id, EXCLUDED.notification_id)
                """, args, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Notifies users inside the caller's transaction; a repeated dedupe key is ignored. A notification that is also an event for the
    /// other channels (<see cref="ServiceHub.Data.Notifications.NotificationEvents.ByMessageKey"/>) queues its messages in the outbox
    /// in the same statement, per each person's channels.
    /// </summary>
    public static Task NotifyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IEnumerable<int> userIds, DateTimeOffset at, string kind,
        long? complaintId, string messageKey, string[] args, string link, string? dedupeKey, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(NotifySql,
            new { userIds = userIds.Distinct().ToArray(), at, kind, complaintId, messageKey, args, link, dedupeKey }, tx, cancellationToken: ct));

    private static readonly string NotifySql = $"""
        WITH notes AS (
            INSERT INTO notifications (user_id, created_at, kind, complaint_id, message_key, args, link, dedupe_key)
            SELECT DISTINCT u, @at, @kind, @complaintId, @messageKey, @args, @link, @dedupeKey FROM unnest(@userIds) AS u
            ON CONFLICT (user_id, dedupe_key) DO NOTHING
            RETURNING id, user_id, complaint_id, message_key, args, link
        ){ServiceHub.Data.Notifications.OutboxSql.FromNotifications("notes", "@at")}
        SELECT count(*) FROM notes
        """;
}
