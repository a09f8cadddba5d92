using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>Counting rule 5: classify by the final root cause, from a two-level taxonomy the CS supervisor keeps.</summary>
public sealed partial class CountingRepository
{
    public async Task<IReadOnlyList<RootCause>> RootCausesAsync(bool activeOnly = false, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RootCause>(new CommandDefinition("""
            SELECT r.id, r.parent_id, r.name, r.name_en, r.definition, r.is_active, r.sort_order
            FROM root_causes r LEFT JOIN root_causes p ON p.id = r.parent_id
            WHERE NOT @activeOnly OR (r.is_active AND coalesce(p.is_active, true))
            ORDER BY coalesce(p.sort_order, r.sort_order), coalesce(p.id, r.id), r.parent_id NULLS FIRST, r.sort_order, r.id
            """, new { activeOnly }, cancellationToken: ct))).AsList();
    }

    /// <summary>The CS supervisor edits the two-level taxonomy: a top-level cause (no parent) or a cause under one.</summary>
    public async Task<int> SaveRootCauseAsync(Actor actor, RootCause cause, CancellationToken ct = default)
    {
        actor.Require(Access.Supervisor);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, nameof(cause.Name), cause.Name, RootCause.NameMax);
        TextInput.Check(errors, nameof(cause.NameEn), cause.NameEn, RootCause.NameMax);
        TextInput.Check(errors, nameof(cause.Definition), cause.Definition, RootCause.DefinitionMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        if (cause.ParentId is { } parent)
        {
            var parentOfParent = await conn.QuerySingleOrDefaultAsync<(int Id, int? ParentId)?>(new CommandDefinition(
                "SELECT id, parent_id FROM root_causes WHERE id = @parent", new { parent }, cancellationToken: ct));
            if (parentOfParent is null || parentOfParent.Value.ParentId is not null || parent == cause.Id)
                throw Invalid(nameof(cause.ParentId), "Counting.RootCause.TwoLevels");
            if (cause.Id is not 0 && await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM root_causes WHERE parent_id = @id)", new { id = cause.Id }, cancellationToken: ct)))
                throw Invalid(nameof(cause.ParentId), "Counting.RootCause.TwoLevels");
        }
        var args = new { cause.Id, cause.ParentId, Name = cause.Name.Trim(), NameEn = cause.NameEn.Trim(), Definition = cause.Definition.Trim(), cause.IsActive, cause.SortOrder };
        try
        {
            return cause.Id == 0
                ? await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                    INSERT INTO root_causes (parent_id, name, name_en, definition, is_active, sort_order)
                    VALUES (@ParentId, @Name, @NameEn, @Definition, @IsActive, @SortOrder) RETURNING id
                    """, args, cancellationToken: ct))
                : await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
                    UPDATE root_causes SET parent_id = @ParentId, name = @Name, name_en = @NameEn, definition = @Definition,
                        is_active = @IsActive, sort_order = @SortOrder
                    WHERE id = @Id RETURNING id
                    """, args, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw Invalid(nameof(cause.Name), "Counting.RootCause.Duplicate");
        }
    }

    /// <summary>
    /// Classifies a complaint by its final root cause (an active second-level cause); the customer's own description stays in the
    /// content. The CS supervisor, or the handler and manager of the complaint's department, until the complaint is closed.
    /// </summary>
    public async Task ClassifyAsync(Actor actor, long complaintId, int? rootCauseId, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Classify);
        if (rootCauseId is null) throw Invalid("RootCauseId", "Counting.RootCauseRequired");
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await ComplaintLifecycle.LockForAsync(conn, tx, actor, complaintId, ComplaintAction.Classify, ct);
            var cause = await conn.QuerySingleOrDefaultAsync<(string Name, string Parent)?>(new CommandDefinition("""
                SELECT r.name, p.name FROM root_causes r JOIN root_causes p ON p.id = r.parent_id
                WHERE r.id = @rootCauseId AND r.is_active AND p.is_active
                """, new { rootCauseId }, tx, cancellationToken: ct));
            if (cause is null) throw Invalid("RootCauseId", "Counting.RootCauseLeafRequired");
            await lifecycle.ClassifyAsync(conn, tx, actor, complaintId, rootCauseId.Value, $"{cause.Value.Parent} / {cause.Value.Name}", ct);
        }, ct);
    }
}
