using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

public sealed record UserAccount(
    int Id, string UserName, string DisplayName, string PasswordHash, string[] Roles, int? DepartmentId,
    string? DepartmentName, string? Phone, bool IsActive, int FailedAttempts, DateTimeOffset? LockedUntil, Guid SecurityStamp,
    bool IsShared = false, bool IsDocumentAdmin = false, DateTimeOffset? RotationRequiredSince = null, bool MustChangePassword = false, string? Extension = null);

/// <summary><see cref="RotationRequiredSince"/>: a shared departmental credential whose password must change since someone of the department left.</summary>
public sealed record UserListItem(int Id, string UserName, string DisplayName, string[] Roles, int? DepartmentId, string? DepartmentName, bool IsActive, DateTimeOffset? LockedUntil,
    bool IsShared = false, bool IsDocumentAdmin = false, DateTimeOffset? RotationRequiredSince = null);

public sealed record UserEdit
{
    public int? Id { get; init; }
    public string UserName { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    public int? DepartmentId { get; set; }
    public string? Phone { get; set; }
    public bool IsActive { get; set; } = true;
    /// <summary>A shared departmental credential (rotated when someone of the department leaves).</summary>
    public bool IsShared { get; set; }
    /// <summary>The Enterprise Development Dept's document administrator: formal documents reach them.</summary>
    public bool IsDocumentAdmin { get; set; }
    /// <summary>The agent's telephone extension (分机号): a call the telephone system announces there pops up on their screen.</summary>
    public string? Extension { get; set; }
    /// <summary>Required for a new account; when set on an existing one it resets the password.</summary>
    public string? NewPassword { get; set; }
}

/// <summary>Password rules: at least 8 characters with a letter and a digit, at most 128.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 8;

    /// <summary>The longest password taken (issue #12 point 14: every input has a length limit).</summary>
    public const int MaxLength = 128;

    /// <summary>Refuses a new password longer than <see cref="MaxLength"/> (<c>Validation.TooLong</c>).</summary>
    public static void RequireNotTooLong(string? password)
    {
        if (password is { Length: > MaxLength }) throw new DomainException("Validation.TooLong", MaxLength);
    }

    public static bool IsStrongEnough(string? password) =>
        password is { Length: >= MinLength } && password.Any(char.IsLetter) && password.Any(char.IsDigit);
}

public sealed class UserRepository(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    private static readonly PasswordHasher<string> Hasher = new();

    public static string HashPassword(string password) => Hasher.HashPassword("", password);

    public static bool VerifyPassword(string hash, string password) =>
        Hasher.VerifyHashedPassword("", hash, password) != PasswordVerificationResult.Failed;

    private const string SelectUser = """
        SELECT u.id, u.user_name, u.display_name, u.password_hash, u.roles, u.department_id, d.name AS department_name,
               u.phone, u.is_active, u.failed_attempts, u.locked_until, u.security_stamp, u.is_shared, u.is_document_admin, u.rotation_required_since,
               u.must_change_password, u.extension
        FROM users u LEFT JOIN departments d ON d.id = u.department_id
        """;

    public async Task<UserAccount?> FindByUserNameAsync(string userName, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            SelectUser + " WHERE lower(u.user_name) = lower(@userName)", new { userName = userName.Trim() }, cancellationToken: ct));
    }

    public async Task<UserAccount?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(SelectUser + " WHERE u.id = @id", new { id }, cancellationToken: ct));
    }

    // API keys' integration accounts are managed on the API keys page, not here.
    private const string ListWhere = """
        WHERE NOT u.is_integration AND (@Text IS NULL OR u.user_name ILIKE @Text OR u.display_name ILIKE @Text)
          AND (@Role IS NULL OR @Role = ANY (u.roles))
          AND (@DepartmentId IS NULL OR u.department_id = @DepartmentId)
        """;

    public async Task<Page<UserListItem>> SearchAsync(Actor actor, string? text, string? role, int? departmentId, int skip, int take, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var args = new { Text = Search.Contains(text), Role = string.IsNullOrWhiteSpace(role) ? null : role, DepartmentId = departmentId, Skip = Search.Skip(skip), Take = Search.Take(take) };
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<UserListItem>(new CommandDefinition($"""
            SELECT u.id, u.user_name, u.display_name, u.roles, u.department_id, d.name AS department_name, u.is_active, u.locked_until,
                   u.is_shared, u.is_document_admin, u.rotation_required_since
            FROM users u LEFT JOIN departments d ON d.id = u.department_id
            {ListWhere}
            ORDER BY u.is_active DESC, u.user_name
            OFFSET @Skip LIMIT @Take
            """, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) FROM users u {ListWhere}", args, cancellationToken: ct));
        return new Page<UserListItem>(items.AsList(), total);
    }

    /// <summary>Active people, for pickers (department manager, return-visit lead…).</summary>
    public async Task<IReadOnlyList<UserListItem>> ListActiveAsync(string? role = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<UserListItem>(new CommandDefinition("""
            SELECT u.id, u.user_name, u.display_name, u.roles, u.department_id, d.name AS department_name, u.is_active, u.locked_until,
                   u.is_shared, u.is_document_admin, u.rotation_required_since
            FROM users u LEFT JOIN departments d ON d.id = u.department_id
            WHERE u.is_active AND (@role IS NULL OR @role = ANY (u.roles))
            ORDER BY u.display_name
            """, new { role }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Length limits of the account's names (also CHECKs in <c>sql/0135_text_length_limits.sql</c>).</summary>
    public const int UserNameMax = 50, DisplayNameMax = 100;

    /// <summary>
    /// What is wrong with an account's form, one message per field (keyed by <see cref="UserEdit"/>'s property names): names required
    /// and within their limits, at least one known role, a password for a new account (strong enough, not too long), a valid phone and
    /// extension. Empty when it may be saved.
    /// </summary>
    public static IReadOnlyDictionary<string, FieldError> Validate(UserEdit edit)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, nameof(edit.UserName), edit.UserName, UserNameMax);
        TextInput.Check(errors, nameof(edit.DisplayName), edit.DisplayName, DisplayNameMax);
        if (edit.Roles.Count == 0) errors[nameof(edit.Roles)] = new("User.RolesRequired");
        else if (edit.Roles.Any(r => !Roles.IsKnown(r))) errors[nameof(edit.Roles)] = new("User.UnknownRole");
        if (edit.Id is null && string.IsNullOrEmpty(edit.NewPassword)) errors[nameof(edit.NewPassword)] = new("User.PasswordRequired");
        else if (edit.NewPassword is { Length: > PasswordPolicy.MaxLength }) errors[nameof(edit.NewPassword)] = new("Validation.TooLong", PasswordPolicy.MaxLength);
        else if (!string.IsNullOrEmpty(edit.NewPassword) && !PasswordPolicy.IsStrongEnough(edit.NewPassword))
            errors[nameof(edit.NewPassword)] = new("Password.TooWeak", PasswordPolicy.MinLength);
        if (!string.IsNullOrWhiteSpace(edit.Phone) && !PhoneNumbers.IsValid(edit.Phone)) errors[nameof(edit.Phone)] = new("Validation.Phone");
        if (!string.IsNullOrWhiteSpace(edit.Extension) && !ServiceHub.Data.Integrations.CallRepository.IsExtension(edit.Extension.Trim()))
            errors[nameof(edit.Extension)] = new("User.ExtensionInvalid");
        return errors;
    }

    /// <summary>Creates or updates an account. Returns the id. What is wrong with the form comes back as <see cref="ValidationFailedException"/> (<see cref="Validate"/>) with nothing written.</summary>
    public async Task<int> SaveAsync(Actor actor, UserEdit edit, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var userName = edit.UserName.Trim();
        if (Validate(edit) is { Count: > 0 } errors) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var args = new
        {
            edit.Id,
            UserName = userName,
            DisplayName = edit.DisplayName.Trim(),
            Roles = edit.Roles.Distinct().ToArray(),
            edit.DepartmentId,
            Phone = string.IsNullOrWhiteSpace(edit.Phone) ? null : PhoneNumbers.Normalize(edit.Phone),
            edit.IsActive,
            edit.IsShared,
            edit.IsDocumentAdmin,
            Extension = string.IsNullOrWhiteSpace(edit.Extension) ? null : edit.Extension.Trim(),
            Hash = string.IsNullOrEmpty(edit.NewPassword) ? null : HashPassword(edit.NewPassword),
        };
        int id;
        try
        {
            if (edit.Id is null)
            {
                id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                    INSERT INTO users (user_name, display_name, password_hash, roles, department_id, phone, is_active, is_shared, is_document_admin, extension)
                    VALUES (@UserName, @DisplayName, @Hash, @Roles, @DepartmentId, @Phone, @IsActive, @IsShared, @IsDocumentAdmin, @Extension)
                    RETURNING id
                    """, args, tx, cancellationToken: ct));
                await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Create, "user", id.ToString(), userName, ct);
            }
            else
            {
                // Deactivation, a password reset, other roles or another department renew the security stamp: live sessions end,
                // and the next sign-in reads the account afresh.
                var wasActive = await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(
                    "SELECT is_active FROM users WHERE id = @Id AND NOT is_integration FOR UPDATE", args, tx, cancellationToken: ct))
                    ?? throw new DomainException("NotFound");
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE users SET user_name = @UserName, display_name = @DisplayName, roles = @Roles, department_id = @DepartmentId,
                        phone = @Phone, is_active = @IsActive, is_shared = @IsShared, is_document_admin = @IsDocumentAdmin, extension = @Extension,
                        password_hash = coalesce(@Hash, password_hash),
                        -- A new password is the rotation a leaver's departure asked for.
                        rotation_required_since = CASE WHEN @Hash IS NOT NULL OR NOT @IsShared THEN NULL ELSE rotation_required_since END,
                        security_stamp = CASE WHEN @Hash IS NOT NULL OR NOT @IsActive OR roles <> @Roles OR department_id IS DISTINCT FROM @DepartmentId
                            THEN gen_random_uuid() ELSE security_stamp END,
                        deactivated_at = CASE WHEN NOT @IsActive THEN coalesce(deactivated_at, now()) ELSE NULL END,
                        failed_attempts = CASE WHEN @Hash IS NOT NULL THEN 0 ELSE failed_attempts END,
                        locked_until = CASE WHEN @Hash IS NOT NULL THEN NULL ELSE locked_until END
                    WHERE id = @Id
                    """, args, tx, cancellationToken: ct));
                id = edit.Id.Value;
                var action = wasActive && !edit.IsActive ? AuditLog.Actions.Deactivate : AuditLog.Actions.Update;
                await audit.WriteAsync(conn, tx, actor, action, "user", id.ToString(),
                    $"{userName} roles={string.Join(',', args.Roles)} active={edit.IsActive} shared={edit.IsShared} document-admin={edit.IsDocumentAdmin}{(args.Hash is null ? "" : " password-reset")}", ct);
            }
            await tx.CommitAsync(ct);
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex) && ex.ConstraintName == "users_extension_key")
        {
            throw new ValidationFailedException(new Dictionary<string, FieldError> { [nameof(edit.Extension)] = new("User.ExtensionTaken", args.Extension!) });
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new DomainException("User.NameTaken", userName);
        }
        return id;
    }

    /// <summary>A person leaves (离职): the account is disabled at once and every session ends.</summary>
    public async Task DeactivateAsync(Actor actor, int userId, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var name = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            UPDATE users SET is_active = false, security_stamp = gen_random_uuid(), deactivated_at = now()
            WHERE id = @userId RETURNING user_name
            """, new { userId }, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Deactivate, "user", userId.ToString(), name, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The signed-in user's own new password. A wrong current password counts towards the lock-out like a wrong one at sign-in,
    /// and a locked account cannot change its password until the lock ends. The new stamp ends every session (this one too).
    /// </summary>
    public async Task ChangePasswordAsync(Actor actor, string currentPassword, string newPassword, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var user = await GetAsync(actor.Id, ct) ?? throw new DomainException("NotFound");
        PasswordPolicy.RequireNotTooLong(newPassword);
        if (Lockout.IsLocked(user, now)) throw new DomainException("Account.LockedOut", BusinessTime.Format(user.LockedUntil, "HH:mm"));
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!VerifyPassword(user.PasswordHash, currentPassword))
        {
            var lockedUntil = await Lockout.CountFailureAsync(conn, user.Id, now, ct);
            await audit.WriteAsync(user.Id, user.UserName, AuditLog.Actions.SignInFailed, "user", user.Id.ToString(),
                lockedUntil is null ? "wrong current password on the change form" : "wrong current password on the change form; locked out", actor.Ip, ct);
            throw lockedUntil is null ? new DomainException("Password.CurrentWrong") : new DomainException("Account.LockedOut", BusinessTime.Format(lockedUntil, "HH:mm"));
        }
        if (!PasswordPolicy.IsStrongEnough(newPassword)) throw new DomainException("Password.TooWeak", PasswordPolicy.MinLength);
        if (currentPassword == newPassword) throw new DomainException("Password.Same");
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE users SET password_hash = @hash, security_stamp = gen_random_uuid(), rotation_required_since = NULL, must_change_password = false,
                failed_attempts = 0, locked_until = NULL
            WHERE id = @id
            """, new { id = actor.Id, hash = HashPassword(newPassword) }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.PasswordChanged, "user", actor.Id.ToString(), "", ct);
        await tx.CommitAsync(ct);
    }
}
