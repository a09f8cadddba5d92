using Dapper;
using Npgsql;

namespace ServiceHub.Data.Admin;

/// <summary>
/// Five wrong passwords in a row lock an account for <see cref="Duration"/>: at sign-in and on the change-password form alike
/// (a stolen session cannot be used to guess the password either).
/// </summary>
public static class Lockout
{
    public const int MaxFailedAttempts = 5;
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(15);

    public static bool IsLocked(UserAccount user, DateTimeOffset now) => user.LockedUntil is { } until && until > now;

    /// <summary>Counts one wrong password in one guarded statement (concurrent failures each count, the fifth locks); the lock's end when this one locked.</summary>
    public static async Task<DateTimeOffset?> CountFailureAsync(NpgsqlConnection conn, int userId, DateTimeOffset now, CancellationToken ct)
    {
        var lockedUntil = await conn.QuerySingleAsync<DateTimeOffset?>(new CommandDefinition("""
            UPDATE users SET
                failed_attempts = CASE WHEN failed_attempts + 1 >= @max THEN 0 ELSE failed_attempts + 1 END,
                locked_until = CASE WHEN failed_attempts + 1 >= @max THEN @lockUntil ELSE locked_until END
            WHERE id = @userId
            RETURNING locked_until
            """, new { userId, max = MaxFailedAttempts, lockUntil = now + Duration }, cancellationToken: ct));
        return lockedUntil is { } lu && lu > now ? lu : null;
    }

    public static Task ResetAsync(NpgsqlConnection conn, int userId, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = @userId", new { userId }, cancellationToken: ct));
}
