using Dapper;
using Npgsql;

namespace ServiceHub.Data.Admin;

/// <summary>
/// Sign-in sessions on the server (<c>user_sessions</c>): the auth cookie carries its session id, so sign-out ends that session
/// wherever the cookie is replayed, and the absolute lifetime counts from the sign-in whatever the sliding cookie says.
/// </summary>
public sealed class SessionRepository(NpgsqlDataSource db)
{
    /// <summary>Ended or expired sessions are kept this long (then removed at the user's next sign-in).</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(30);

    /// <summary>A new session for a user who has just proved their password; the user's sessions older than <see cref="KeptFor"/> go.</summary>
    public async Task<Guid> StartAsync(int userId, string? ip, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM user_sessions WHERE user_id = @userId AND started_at < @before", new { userId, before = now - KeptFor }, cancellationToken: ct));
        return await conn.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "INSERT INTO user_sessions (user_id, started_at, ip) VALUES (@userId, @now, left(@ip, 64)) RETURNING id",
            new { userId, now, ip }, cancellationToken: ct));
    }

    /// <summary>Sign-out: the session ends (once; a repeat changes nothing).</summary>
    public async Task EndAsync(Guid sessionId, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE user_sessions SET ended_at = @now WHERE id = @sessionId AND ended_at IS NULL", new { sessionId, now }, cancellationToken: ct));
    }

    /// <summary>
    /// Whether a cookie's session still stands: the account is active, its security stamp unchanged (deactivation, a new
    /// password, other roles or another department renew it), the session not signed out and younger than <paramref name="lifetime"/>.
    /// </summary>
    public async Task<bool> IsValidAsync(int userId, Guid stamp, Guid sessionId, DateTimeOffset now, TimeSpan lifetime, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (
                SELECT 1 FROM users u JOIN user_sessions s ON s.user_id = u.id
                WHERE u.id = @userId AND u.is_active AND u.security_stamp = @stamp
                  AND s.id = @sessionId AND s.ended_at IS NULL AND s.started_at > @startedAfter)
            """, new { userId, stamp, sessionId, startedAfter = now - lifetime }, cancellationToken: ct));
    }
}
