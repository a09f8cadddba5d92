using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Information;

public sealed record InfoKind(string Code, string Class, string Name, string NameEn, string OwnerDepartmentCode, string[] ReaderRoles, int RetentionMonths);

public sealed record InfoRecord(
    long Id, string Kind, string Title, string? Body, string? PrivateData, string State, string FiledByName, DateTimeOffset FiledAt,
    DateTimeOffset? StoredAt, DateTimeOffset? RetainUntil, string? DestroyReason, string? DestroyApprovedByName, DateTimeOffset? DestroyedAt);

/// <summary>
/// The information register (信息管理, DOMAIN.md §2): records of each kind are filed, stored for the kind's retention period and
/// then destroyed with an approval, leaving a tombstone; only the kind's readers (and its owner department) see them.
/// </summary>
public sealed class InformationRegister(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<InfoKind>> KindsAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<InfoKind>(new CommandDefinition(
            "SELECT code, class, name, name_en, owner_department_code, reader_roles, retention_months FROM info_kinds ORDER BY sort_order",
            cancellationToken: ct))).AsList();
    }

    /// <summary>A reader of a kind: one of its reader roles, or a member of its owner department.</summary>
    public static bool MayRead(Actor actor, InfoKind kind, string? actorDepartmentCode) =>
        actor.IsIn(kind.ReaderRoles) || (actorDepartmentCode is not null && actorDepartmentCode == kind.OwnerDepartmentCode);

    private async Task<InfoKind> ReadableKindAsync(NpgsqlConnection conn, Actor actor, string kind, CancellationToken ct)
    {
        var k = await conn.QuerySingleOrDefaultAsync<InfoKind>(new CommandDefinition(
            "SELECT code, class, name, name_en, owner_department_code, reader_roles, retention_months FROM info_kinds WHERE code = @kind",
            new { kind }, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        var dept = actor.DepartmentId is { } d
            ? await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT code FROM departments WHERE id = @d", new { d }, cancellationToken: ct))
            : null;
        if (!MayRead(actor, k, dept)) throw new ForbiddenException(actor.UserName, k.ReaderRoles);
        return k;
    }

    /// <summary>建档: files a record of a kind the actor may read.</summary>
    public async Task<long> FileAsync(Actor actor, string kind, string title, string body, string? privateData, int? customerId, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(title)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Title"] = new("Validation.Required") });
        await using var conn = await db.OpenConnectionAsync(ct);
        await ReadableKindAsync(conn, actor, kind, ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO info_records (kind, title, body, private_data, customer_id, filed_by, filed_at)
            VALUES (@kind, @title, @body, @privateData, @customerId, @actorId, @now) RETURNING id
            """, new { kind, title = title.Trim(), body, privateData, customerId, actorId = actor.Id, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    /// <summary>存档: stored for the kind's retention period from now.</summary>
    public async Task StoreAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var kind = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT kind FROM info_records WHERE id = @id", new { id }, cancellationToken: ct))
            ?? throw new DomainException("NotFound");
        var k = await ReadableKindAsync(conn, actor, kind, ct);
        var now = clock.GetUtcNow();
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE info_records SET state = 'stored', stored_by = @actorId, stored_at = @now, retain_until = @until
            WHERE id = @id AND state = 'filed'
            """, new { id, actorId = actor.Id, now, until = now.AddMonths(k.RetentionMonths) }, cancellationToken: ct));
        if (n == 0) throw new DomainException("Info.WrongState");
    }

    /// <summary>销档, step 1: asked for with a reason, once the retention period has ended.</summary>
    public async Task RequestDestructionAsync(Actor actor, long id, string reason, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Reason"] = new("Validation.Required") });
        await using var conn = await db.OpenConnectionAsync(ct);
        var kind = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT kind FROM info_records WHERE id = @id", new { id }, cancellationToken: ct))
            ?? throw new DomainException("NotFound");
        await ReadableKindAsync(conn, actor, kind, ct);
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE info_records SET state = 'destroy_requested', destroy_reason = @reason, destroy_requested_by = @actorId, destroy_requested_at = @now
            WHERE id = @id AND state = 'stored' AND retain_until <= @now
            """, new { id, reason = reason.Trim(), actorId = actor.Id, now = clock.GetUtcNow() }, cancellationToken: ct));
        if (n == 0) throw new DomainException("Info.RetentionNotEnded");
    }

    /// <summary>销档, step 2: approved by an admin or leadership other than the requester; content and private data are removed.</summary>
    public async Task ApproveDestructionAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin, Roles.Leadership);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var title = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            UPDATE info_records SET state = 'destroyed', body = NULL, private_data = NULL, customer_id = NULL,
                destroy_approved_by = @actorId, destroyed_at = @now
            WHERE id = @id AND state = 'destroy_requested' AND destroy_requested_by <> @actorId
            RETURNING title
            """, new { id, actorId = actor.Id, now }, tx, cancellationToken: ct)) ?? throw new DomainException("Info.ApprovalRefused");
        await audit.WriteAsync(conn, tx, actor, "info-destroyed", "info_record", id.ToString(), title, ct);
        await tx.CommitAsync(ct);
    }

    private const string SelectRecord = """
        SELECT r.id, r.kind, r.title, r.body, r.private_data, r.state, f.display_name AS filed_by_name, r.filed_at, r.stored_at, r.retain_until,
               r.destroy_reason, a.display_name AS destroy_approved_by_name, r.destroyed_at
        FROM info_records r JOIN users f ON f.id = r.filed_by LEFT JOIN users a ON a.id = r.destroy_approved_by
        """;

    /// <summary>The records of a kind, for its readers only (anyone else is refused, so neither page nor query shows them).</summary>
    public async Task<IReadOnlyList<InfoRecord>> RecordsAsync(Actor actor, string kind, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ReadableKindAsync(conn, actor, kind, ct);
        return (await conn.QueryAsync<InfoRecord>(new CommandDefinition(SelectRecord + " WHERE r.kind = @kind ORDER BY r.filed_at DESC, r.id DESC",
            new { kind }, cancellationToken: ct))).AsList();
    }
}
