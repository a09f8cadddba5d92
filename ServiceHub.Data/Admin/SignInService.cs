using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

public enum SignInOutcome { Success, Invalid, LockedOut, Inactive }

public sealed record SignInResult(SignInOutcome Outcome, UserAccount? User, DateTimeOffset? LockedUntil = null);

/// <summary>Checks a password against <c>users</c>; five failures in a row lock the account for <see cref="LockoutDuration"/>.</summary>
public sealed class SignInService(NpgsqlDataSource db, UserRepository users, AuditLog audit, TimeProvider clock)
{
    public const int MaxFailedAttempts = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public async Task<SignInResult> SignInAsync(string userName, string password, string? ip, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var user = await users.FindByUserNameAsync(userName ?? "", ct);
        if (user is null)
        {
            await audit.WriteAsync(null, userName ?? "", AuditLog.Actions.SignInFailed, "user", "", "unknown user", ip, ct);
            return new SignInResult(SignInOutcome.Invalid, null);
        }
        if (!user.IsActive)
        {
            await audit.WriteAsync(user.Id, user.UserName, AuditLog.Actions.SignInFailed, "user", user.Id.ToString(), "inactive", ip, ct);
            return new SignInResult(SignInOutcome.Inactive, null);
        }
        if (user.LockedUntil is { } until && until > now)
        {
            await audit.WriteAsync(user.Id, user.UserName, AuditLog.Actions.SignInFailed, "user", user.Id.ToString(), "locked out", ip, ct);
            return new SignInResult(SignInOutcome.LockedOut, null, until);
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        if (!UserRepository.VerifyPassword(user.PasswordHash, password ?? ""))
        {
            // One guarded statement: concurrent failures each count, and the fifth locks.
            var row = await conn.QuerySingleAsync<(int FailedAttempts, DateTimeOffset? LockedUntil)>(new CommandDefinition("""
                UPDATE users SET
                    failed_attempts = CASE WHEN failed_attempts + 1 >= @max THEN 0 ELSE failed_attempts + 1 END,
                    locked_until = CASE WHEN failed_attempts + 1 >= @max THEN @lockUntil ELSE locked_until END
                WHERE id = @id
                RETURNING failed_attempts, locked_until
                """, new { id = user.Id, max = MaxFailedAttempts, lockUntil = now + LockoutDuration }, cancellationToken: ct));
            var locked = row.LockedUntil is { } lu && lu > now;
            await audit.WriteAsync(user.Id, user.UserName, AuditLog.Actions.SignInFailed, "user", user.Id.ToString(),
                locked ? "wrong password; locked out" : "wrong password", ip, ct);
            return locked ? new SignInResult(SignInOutcome.LockedOut, null, row.LockedUntil) : new SignInResult(SignInOutcome.Invalid, null);
        }

        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = @id", new { id = user.Id }, cancellationToken: ct));
        await audit.WriteAsync(user.Id, user.UserName, AuditLog.Actions.SignIn, "user", user.Id.ToString(), "", ip, ct);
        return new SignInResult(SignInOutcome.Success, user);
    }
}
