using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

/// <summary>Why a sign-in failed: for the audit log only; the person signing in is told the same for each.</summary>
public enum SignInOutcome { Success, Invalid, LockedOut, Inactive }

/// <summary>
/// <see cref="SessionId"/>: the server-side session a successful sign-in opened. <see cref="PasswordChangeRequired"/>: the account
/// may do nothing but change its password (a shared credential to rotate after a leaver).
/// </summary>
public sealed record SignInResult(SignInOutcome Outcome, UserAccount? User, Guid SessionId = default, bool PasswordChangeRequired = false);

/// <summary>
/// Checks a password against <c>users</c>; five failures in a row lock the account (<see cref="Lockout"/>). Unknown, inactive and
/// locked accounts cost the same password hash as a known one, so the answer time does not tell which names exist.
/// </summary>
public sealed class SignInService(NpgsqlDataSource db, UserRepository users, SessionRepository sessions, AuditLog audit, TimeProvider clock)
{
    public const int MaxFailedAttempts = Lockout.MaxFailedAttempts;
    public static readonly TimeSpan LockoutDuration = Lockout.Duration;

    /// <summary>A hash of a random password, verified when there is no real one to verify (constant work).</summary>
    private static readonly Lazy<string> DummyHash = new(() => UserRepository.HashPassword(Guid.NewGuid().ToString()));

    public async Task<SignInResult> SignInAsync(string userName, string password, string? ip, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        // Over-long input is no account's: refused like an unknown user, its name cut to the column's length in the audit log.
        if (userName?.Length > UserRepository.UserNameMax || password?.Length > PasswordPolicy.MaxLength)
        {
            UserRepository.VerifyPassword(DummyHash.Value, "");
            var name = userName ?? "";
            return await FailAsync(null, name[..Math.Min(name.Length, UserRepository.UserNameMax)], SignInOutcome.Invalid, "input too long", ip, ct);
        }
        var user = await users.FindByUserNameAsync(userName ?? "", ct);
        var passwordMatches = UserRepository.VerifyPassword(user?.PasswordHash ?? DummyHash.Value, password ?? "");
        if (user is null)
            return await FailAsync(null, userName ?? "", SignInOutcome.Invalid, "unknown user", ip, ct);
        if (!user.IsActive)
            return await FailAsync(user, user.UserName, SignInOutcome.Inactive, "inactive", ip, ct);
        if (Lockout.IsLocked(user, now))
            return await FailAsync(user, user.UserName, SignInOutcome.LockedOut, "locked out", ip, ct);

        await using var conn = await db.OpenConnectionAsync(ct);
        if (!passwordMatches)
        {
            var lockedNow = await Lockout.CountFailureAsync(conn, user.Id, now, ct) is not null;
            return await FailAsync(user, user.UserName, lockedNow ? SignInOutcome.LockedOut : SignInOutcome.Invalid,
                lockedNow ? "wrong password; locked out" : "wrong password", ip, ct);
        }

        await Lockout.ResetAsync(conn, user.Id, ct);
        var sessionId = await sessions.StartAsync(user.Id, ip, now, ct);
        // A shared credential to rotate after a leaver, or a password set by someone else (the command line's first administrator).
        var mustChange = user.RotationRequiredSince is not null || user.MustChangePassword;
        await audit.WriteAsync(user.Id, user.UserName, AuditLog.Actions.SignIn, "user", user.Id.ToString(),
            user.RotationRequiredSince is not null ? "shared credential to rotate: password change only"
            : user.MustChangePassword ? "password set by someone else: password change only" : "", ip, ct);
        return new SignInResult(SignInOutcome.Success, user, sessionId, mustChange);
    }

    private async Task<SignInResult> FailAsync(UserAccount? user, string userName, SignInOutcome outcome, string reason, string? ip, CancellationToken ct)
    {
        await audit.WriteAsync(user?.Id, userName, AuditLog.Actions.SignInFailed, "user", user?.Id.ToString() ?? "", reason, ip, ct);
        return new SignInResult(outcome, null);
    }
}
