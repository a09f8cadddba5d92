using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Integrations;

/// <summary>What an administrator fills in to issue a key: the integration's name, what it may call, and who it acts as.</summary>
public sealed class ApiKeyForm
{
    public string Name { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
    /// <summary>The roles of the key's integration account: the Data layer checks them as for a person (e.g. agent to register contacts).</summary>
    public List<string> Roles { get; set; } = [];
    /// <summary>The department it acts for (required for a handler or a department manager: a department reads its own complaints).</summary>
    public int? DepartmentId { get; set; }
    public DateOnly? ExpiresOn { get; set; }
}

/// <summary>A key as the administrator's list shows it (never the secret).</summary>
public sealed record ApiKeyView(int Id, string Name, string Prefix, string[] Scopes, string[] Roles, int? DepartmentId, string? DepartmentName,
    DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt, string CreatedByName, DateTimeOffset? RevokedAt, string? RevokedByName, DateTimeOffset? LastUsedAt)
{
    public string State(DateTimeOffset now) => RevokedAt is not null ? ApiKeyStates.Revoked : ExpiresAt <= now ? ApiKeyStates.Expired : ApiKeyStates.Active;
}

public static class ApiKeyStates
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}

/// <summary>A key just issued: the only time the whole key is seen.</summary>
public sealed record IssuedApiKey(int Id, string Name, string Key, DateTimeOffset ExpiresAt);

/// <summary>The integration a presented key stands for, as the API signs it in: the account it acts as and its scopes.</summary>
public sealed record ApiKeyIdentity(int KeyId, string Name, int UserId, string UserName, string[] Roles, int? DepartmentId, string[] Scopes)
{
    public Actor ToActor(string? ip) => new(UserId, UserName, Name, Roles, DepartmentId, ip);
}

/// <summary>Why a presented key was refused (for the audit log; the caller only ever sees 401).</summary>
public enum ApiKeyRefusal { Malformed, Unknown, WrongSecret, Revoked, Expired }

public sealed record ApiKeyCheck(ApiKeyIdentity? Identity, ApiKeyRefusal? Refusal, int? KeyId = null, string? KeyName = null);

/// <summary>
/// API keys (issue #13 point 7). An administrator issues a key per integration: its secret shown once, stored as SHA-256, with scopes,
/// an expiry, and its own integration account — a <c>users</c> row named <c>api:{name}</c> with the roles and department the
/// administrator chose, never active for sign-in — as which it acts: the Data layer checks that account's roles like a person's, and
/// what it writes names it (first responder, timeline, audit log). Revoking a key stops it at the next call.
/// </summary>
public sealed class ApiKeyRepository(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public const string UserNamePrefix = "api:";
    /// <summary>The user name of a revoked key's account (<c>api-revoked:{key id}</c>), so its name may be given to a new key.</summary>
    public const string RetiredUserNamePrefix = "api-revoked:";

    public static IReadOnlyDictionary<string, FieldError> Validate(ApiKeyForm f, DateTimeOffset now)
    {
        var e = new Dictionary<string, FieldError>();
        TextInput.Check(e, nameof(f.Name), f.Name, ApiKeyRules.NameMax);
        if (f.Scopes.Count == 0 || f.Scopes.Any(s => !ApiScopes.All.Contains(s))) e[nameof(f.Scopes)] = new("ApiKey.ScopesRequired");
        if (f.Roles.Count == 0 || f.Roles.Any(r => !ApiKeyRules.AssignableRoles.Contains(r))) e[nameof(f.Roles)] = new("ApiKey.RolesRequired");
        if (f.DepartmentId is null && f.Roles.Any(r => r is Roles.Handler or Roles.DeptManager)) e[nameof(f.DepartmentId)] = new("ApiKey.DepartmentRequired");
        var today = DateOnly.FromDateTime(BusinessTime.ToLocal(now).DateTime);
        if (f.ExpiresOn is not { } on || on <= today) e[nameof(f.ExpiresOn)] = new("ApiKey.ExpiryInFuture");
        else if (ExpiryOf(on) - now > ApiKeyRules.MaxLifetime) e[nameof(f.ExpiresOn)] = new("ApiKey.ExpiryTooFar", (int)ApiKeyRules.MaxLifetime.TotalDays);
        return e;
    }

    /// <summary>A key expires at the start of its expiry day in Beijing.</summary>
    public static DateTimeOffset ExpiryOf(DateOnly day) => BusinessTime.FromLocal(day.ToDateTime(TimeOnly.MinValue));

    /// <summary>Issues a key (administrators only): the account it acts as, the key's hash, the audit entry — one transaction.</summary>
    public async Task<IssuedApiKey> IssueAsync(Actor actor, ApiKeyForm form, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var now = clock.GetUtcNow();
        var errors = Validate(form, now);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var name = form.Name.Trim();
        var expiresAt = ExpiryOf(form.ExpiresOn!.Value);
        var (prefix, key) = ApiKeyRules.New();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var userId = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO users (user_name, display_name, password_hash, roles, department_id, is_active, is_integration, deactivated_at)
                VALUES (@userName, @name, @hash, @roles, @departmentId, false, true, NULL)
                RETURNING id
                """, new
            {
                userName = UserNamePrefix + name, name, roles = form.Roles.Distinct().ToArray(), form.DepartmentId,
                // Nobody knows this password, and the account is inactive: it never signs in.
                hash = UserRepository.HashPassword(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))),
            }, tx, cancellationToken: ct));
            var id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO api_keys (name, prefix, secret_hash, user_id, scopes, expires_at, created_at, created_by)
                VALUES (@name, @prefix, @hash, @userId, @scopes, @expiresAt, @now, @actorId)
                RETURNING id
                """, new { name, prefix, hash = ApiKeyRules.Hash(key), userId, scopes = form.Scopes.Distinct().ToArray(), expiresAt, now, actorId = actor.Id },
                tx, cancellationToken: ct));
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Create, "api-key", id.ToString(),
                $"{name} scopes={string.Join(',', form.Scopes)} roles={string.Join(',', form.Roles)} dept={form.DepartmentId} expires={expiresAt:O}", ct);
            await tx.CommitAsync(ct);
            return new IssuedApiKey(id, name, key, expiresAt);
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, FieldError> { [nameof(form.Name)] = new("ApiKey.NameTaken", name) });
        }
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ApiKeyView>(new CommandDefinition("""
            SELECT k.id, k.name, k.prefix, k.scopes, u.roles, u.department_id, d.name AS department_name, k.expires_at, k.created_at,
                   cb.display_name AS created_by_name, k.revoked_at, rb.display_name AS revoked_by_name, k.last_used_at
            FROM api_keys k
            JOIN users u ON u.id = k.user_id
            LEFT JOIN departments d ON d.id = u.department_id
            JOIN users cb ON cb.id = k.created_by
            LEFT JOIN users rb ON rb.id = k.revoked_by
            ORDER BY k.revoked_at IS NOT NULL, k.name
            """, cancellationToken: ct))).AsList();
    }

    /// <summary>Revokes a key (administrators only): refused from its next call on. A repeat changes nothing.</summary>
    public async Task RevokeAsync(Actor actor, int id, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var name = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @now, revoked_by = @actorId WHERE id = @id AND revoked_at IS NULL RETURNING name",
            new { id, now = clock.GetUtcNow(), actorId = actor.Id }, tx, cancellationToken: ct));
        if (name is null) return;
        // The name is free again for a new key (a leaked key is replaced by one of the same name): the revoked key's account steps
        // aside under a name of its own; the records it wrote keep showing its display name.
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET user_name = @retired WHERE id = (SELECT user_id FROM api_keys WHERE id = @id) AND is_integration",
            new { id, retired = RetiredUserNamePrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Deactivate, "api-key", id.ToString(), name, ct);
        await tx.CommitAsync(ct);
    }

    private sealed record KeyRow(int Id, string Name, byte[] SecretHash, int UserId, string UserName, string[] Roles, int? DepartmentId, string[] Scopes,
        DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

    /// <summary>A stand-in hash compared when no row has the prefix, so an unknown prefix costs the same as a wrong secret.</summary>
    private static readonly byte[] NoKey = ApiKeyRules.Hash("no key");

    /// <summary>
    /// Checks a presented key: shaped like one, its prefix known, its secret's hash equal (constant time), not revoked, not expired.
    /// Its last use is recorded (at most once a minute).
    /// </summary>
    public async Task<ApiKeyCheck> AuthenticateAsync(string? presented, CancellationToken ct = default)
    {
        var prefix = ApiKeyRules.PrefixOf(presented);
        if (prefix is null) return new(null, ApiKeyRefusal.Malformed);
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition("""
            SELECT k.id, k.name, k.secret_hash, k.user_id, u.user_name, u.roles, u.department_id, k.scopes, k.expires_at, k.revoked_at, k.last_used_at
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE k.prefix = @prefix
            """, new { prefix }, cancellationToken: ct));
        if (!ApiKeyRules.Matches(presented!, row?.SecretHash ?? NoKey) || row is null)
            return new(null, row is null ? ApiKeyRefusal.Unknown : ApiKeyRefusal.WrongSecret, row?.Id, row?.Name);
        var now = clock.GetUtcNow();
        if (row.RevokedAt is not null) return new(null, ApiKeyRefusal.Revoked, row.Id, row.Name);
        if (row.ExpiresAt <= now) return new(null, ApiKeyRefusal.Expired, row.Id, row.Name);
        if (row.LastUsedAt is null || now - row.LastUsedAt > TimeSpan.FromMinutes(1))
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE api_keys SET last_used_at = @now WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @now)",
                new { row.Id, now }, cancellationToken: ct));
        return new(new ApiKeyIdentity(row.Id, row.Name, row.UserId, row.UserName, row.Roles, row.DepartmentId, row.Scopes), null, row.Id, row.Name);
    }
}
