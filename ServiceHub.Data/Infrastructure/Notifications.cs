using Dapper;
using Npgsql;

namespace ServiceHub.Data.Infrastructure;

public sealed record Notification(long Id, DateTimeOffset CreatedAt, string Kind, long? ComplaintId, string MessageKey, string[] Args, string Link, DateTimeOffset? ReadAt);

/// <summary>In-app notifications for the people concerned; the bell in the app bar reads them.</summary>
public sealed class NotificationRepository(NpgsqlDataSource db, TimeProvider clock)
{
    public async Task<int> UnreadCountAsync(int userId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM notifications WHERE user_id = @userId AND read_at IS NULL", new { userId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Notification>> RecentAsync(int userId, int take = 20, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Notification>(new CommandDefinition("""
            SELECT id, created_at, kind, complaint_id, message_key, args, link, read_at
            FROM notifications WHERE user_id = @userId ORDER BY id DESC LIMIT @take
            """, new { userId, take = Search.Take(take) }, cancellationToken: ct))).AsList();
    }

    public async Task MarkReadAsync(int userId, long? id = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE notifications SET read_at = @now WHERE user_id = @userId AND read_at IS NULL AND (@id IS NULL OR id = @id)",
            new { userId, id, now = clock.GetUtcNow() }, cancellationToken: ct));
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
