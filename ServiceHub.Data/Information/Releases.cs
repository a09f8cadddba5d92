using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Information;

public sealed record InfoRelease(
    int Id, string Scope, string Title, string Body, string State, int AuthorId, string AuthorName, DateTimeOffset CreatedAt,
    string? ApproverName, DateTimeOffset? DecidedAt, string? RejectedReason, string? Channel, string? PublishedByName, DateTimeOffset? PublishedAt)
{
    /// <summary>Length limits of what the author and the approver type (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int TitleMax = 200, BodyMax = 4000, ReasonMax = 500, ChannelMax = 100;
}

/// <summary>
/// Releases (信息发布, DOMAIN.md §2): an internal (to the CS dept) or external release is drafted, approved or rejected (with a reason)
/// by leadership or an admin who is not its author, then published with a publication record — who, when, on which channel — and filed
/// into the register (公司对内/对外发布信息) in the same transaction.
/// </summary>
public sealed class ReleaseRepository(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{

    public async Task<int> DraftAsync(Actor actor, string scope, string title, string body, CancellationToken ct = default)
    {
        actor.Require(Access.ReleaseAuthors);
        var errors = new Dictionary<string, FieldError>();
        if (scope is not ("internal" or "external")) errors["Scope"] = new("Validation.Required");
        TextInput.Check(errors, "Title", title, InfoRelease.TitleMax);
        TextInput.Check(errors, "Body", body, InfoRelease.BodyMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            INSERT INTO info_releases (scope, title, body, author_id, created_at) VALUES (@scope, @title, @body, @actorId, @now) RETURNING id
            """, new { scope, title = title.Trim(), body = body.Trim(), actorId = actor.Id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, "release-drafted", "info_release", id.ToString(), title.Trim(), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Approves (reason null) or rejects (reason required) a draft; never by its author.</summary>
    public async Task DecideAsync(Actor actor, int id, bool approve, string? reason, CancellationToken ct = default)
    {
        actor.Require(Access.Approvers);
        var errors = new Dictionary<string, FieldError>();
        if (!approve) TextInput.Check(errors, "Reason", reason, InfoRelease.ReasonMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var author = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT author_id FROM info_releases WHERE id = @id AND state = 'draft' FOR UPDATE", new { id }, tx, cancellationToken: ct))
            ?? throw new DomainException("Info.WrongState");
        if (author == actor.Id) throw new DomainException("Release.OwnApproval");
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE info_releases SET state = @state, approver_id = @actorId, decided_at = @now, rejected_reason = @reason WHERE id = @id
            """, new { id, state = approve ? "approved" : "rejected", actorId = actor.Id, now = clock.GetUtcNow(), reason = approve ? null : reason!.Trim() },
            tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, approve ? "release-approved" : "release-rejected", "info_release", id.ToString(), reason ?? "", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Publishes an approved release on a channel (by its author or an approver) and files it into the register.</summary>
    public async Task PublishAsync(Actor actor, int id, string channel, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Channel", channel, InfoRelease.ChannelMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(int AuthorId, string Scope, string Title)?>(new CommandDefinition(
            "SELECT author_id, scope, title FROM info_releases WHERE id = @id AND state = 'approved' FOR UPDATE", new { id }, tx, cancellationToken: ct))
            ?? throw new DomainException("Info.WrongState");
        if (row.AuthorId != actor.Id) actor.Require(Access.Approvers);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE info_releases SET state = 'published', channel = @channel, published_by = @actorId, published_at = @now WHERE id = @id
            """, new { id, channel = channel.Trim(), actorId = actor.Id, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO info_records (kind, title, filed_by, filed_at, state, stored_by, stored_at, retain_until, source_type, source_id)
            SELECT CASE WHEN @scope = 'external' THEN 'external_release' ELSE 'internal_release' END, @title, @actorId, @now,
                   'stored', @actorId, @now, @now + make_interval(months => k.retention_months), 'release', @id
            FROM info_kinds k WHERE k.code = CASE WHEN @scope = 'external' THEN 'external_release' ELSE 'internal_release' END
            ON CONFLICT DO NOTHING
            """, new { id = (long)id, row.Scope, row.Title, actorId = actor.Id, now }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, "release-published", "info_release", id.ToString(), channel.Trim(), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Authors and approvers see every release; everyone else the published ones.</summary>
    public async Task<IReadOnlyList<InfoRelease>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<InfoRelease>(new CommandDefinition("""
            SELECT r.id, r.scope, r.title, r.body, r.state, r.author_id, a.display_name AS author_name, r.created_at,
                   p.display_name AS approver_name, r.decided_at, r.rejected_reason, r.channel, b.display_name AS published_by_name, r.published_at
            FROM info_releases r JOIN users a ON a.id = r.author_id LEFT JOIN users p ON p.id = r.approver_id LEFT JOIN users b ON b.id = r.published_by
            WHERE @all OR r.state = 'published' OR r.author_id = @actorId
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT 500
            """, new { all = actor.IsIn(Access.ReleaseAuthors), actorId = actor.Id }, cancellationToken: ct))).AsList();
    }
}
