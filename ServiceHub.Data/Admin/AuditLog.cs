using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

public sealed record AuditEntry(long Id, DateTimeOffset At, int? UserId, string UserName, string Action, string Entity, string EntityId, string Details, string? Ip);

/// <summary>Append-only audit log (the table refuses UPDATE and DELETE).</summary>
public sealed class AuditLog(NpgsqlDataSource db, TimeProvider clock)
{
    public static class Actions
    {
        public const string SignIn = "sign-in";
        public const string SignInFailed = "sign-in-failed";
        public const string SignOut = "sign-out";
        public const string PasswordChanged = "password-changed";
        public const string Create = "create";
        public const string Update = "update";
        public const string Deactivate = "deactivate";
        public const string PrivateDataViewed = "private-data-viewed";
        /// <summary>A call of the REST API, audited with its key's name (issue #13 point 7).</summary>
        public const string ApiCall = "api-call";
        /// <summary>A call with a key that was refused (revoked, expired, wrong secret), when the key's name is known.</summary>
        public const string ApiRefused = "api-refused";
        /// <summary>A customer search with text (issue #12 point 5): who looked for what.</summary>
        public const string CustomerSearch = "customer-search";
    }

    private const string InsertSql = """
        INSERT INTO audit_log (at, user_id, user_name, action, entity, entity_id, details, ip)
        VALUES (@At, @UserId, @UserName, @Action, @Entity, @EntityId, @Details, @Ip)
        """;

    public Task WriteAsync(Actor actor, string action, string entity, string entityId, string details = "", CancellationToken ct = default) =>
        WriteAsync(actor.Id == 0 ? null : actor.Id, actor.UserName, action, entity, entityId, details, actor.Ip, ct);

    public async Task WriteAsync(int? userId, string userName, string action, string entity, string entityId, string details, string? ip, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(InsertSql,
            new { At = clock.GetUtcNow(), UserId = userId, UserName = userName, Action = action, Entity = entity, EntityId = entityId, Details = details, Ip = ip },
            cancellationToken: ct));
    }

    /// <summary>Writes inside a caller's transaction, so the audit entry and the change commit together.</summary>
    public Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, string action, string entity, string entityId, string details, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(InsertSql,
            new { At = clock.GetUtcNow(), UserId = actor.Id == 0 ? (int?)null : actor.Id, actor.UserName, Action = action, Entity = entity, EntityId = entityId, Details = details, actor.Ip },
            tx, cancellationToken: ct));

    private const string SearchSql = """
        SELECT id, at, user_id, user_name, action, entity, entity_id, details, ip
        FROM audit_log
        WHERE (@Action IS NULL OR action = @Action)
          AND (@Text IS NULL OR user_name ILIKE @Text OR entity ILIKE @Text OR entity_id ILIKE @Text OR details ILIKE @Text)
        ORDER BY id DESC
        OFFSET @Skip LIMIT @Take
        """;

    private const string CountSql = """
        SELECT count(*) FROM audit_log
        WHERE (@Action IS NULL OR action = @Action)
          AND (@Text IS NULL OR user_name ILIKE @Text OR entity ILIKE @Text OR entity_id ILIKE @Text OR details ILIKE @Text)
        """;

    public async Task<Page<AuditEntry>> SearchAsync(Actor actor, string? action, string? text, int skip, int take, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var args = new { Action = string.IsNullOrWhiteSpace(action) ? null : action, Text = Search.Contains(text), Skip = Search.Skip(skip), Take = Search.Take(take) };
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<AuditEntry>(new CommandDefinition(SearchSql, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition(CountSql, args, cancellationToken: ct));
        return new Page<AuditEntry>(items.AsList(), total);
    }
}
