using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Information;

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
            "SELECT code, class, name, name_en, owner_department_code, reader_roles, retention_months, also_class FROM info_kinds ORDER BY sort_order",
            cancellationToken: ct))).AsList();
    }

    /// <summary>A reader of a kind: one of its reader roles, or a member of its owner department.</summary>
    public static bool MayRead(Actor actor, InfoKind kind, string? actorDepartmentCode) =>
        actor.IsIn(kind.ReaderRoles) || (actorDepartmentCode is not null && actorDepartmentCode == kind.OwnerDepartmentCode);

    private async Task<InfoKind> ReadableKindAsync(NpgsqlConnection conn, Actor actor, string kind, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var k = await conn.QuerySingleOrDefaultAsync<InfoKind>(new CommandDefinition(
            "SELECT code, class, name, name_en, owner_department_code, reader_roles, retention_months, also_class FROM info_kinds WHERE code = @kind",
            new { kind }, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        var dept = actor.DepartmentId is { } d
            ? await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT code FROM departments WHERE id = @d", new { d }, tx, cancellationToken: ct))
            : null;
        if (!MayRead(actor, k, dept)) throw new ForbiddenException(actor.UserName, k.ReaderRoles);
        return k;
    }

    /// <summary>建档: files a record of a kind the actor may read.</summary>
    public async Task<long> FileAsync(Actor actor, string kind, string title, string body, string? privateData, int? customerId, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Title", title, InfoRecord.TitleMax);
        TextInput.Check(errors, "Body", body, InfoRecord.BodyMax, required: false);
        TextInput.Check(errors, "PrivateData", privateData, InfoRecord.PrivateDataMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await ReadableKindAsync(conn, actor, kind, ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO info_records (kind, title, body, private_data, customer_id, filed_by, filed_at)
            VALUES (@kind, @title, @body, @privateData, @customerId, @actorId, @now) RETURNING id
            """, new { kind, title = title.Trim(), body = body?.Trim(), privateData = privateData?.Trim(), customerId, actorId = actor.Id, now = clock.GetUtcNow() }, cancellationToken: ct));
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
        CheckReason(reason);
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

    /// <summary>
    /// 销档, step 2: approved by an admin or leadership other than the requester (a request of the retention sweep has no requester).
    /// The register row keeps only its tombstone; the linked record loses its free text and, once nothing alive refers to the customer,
    /// the customer's name, phones and membership are anonymised.
    /// </summary>
    public async Task ApproveDestructionAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Access.Approvers);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var row = await conn.QuerySingleOrDefaultAsync<(string Kind, string Title, string? SourceType, long? SourceId, int? CustomerId)?>(new CommandDefinition("""
            SELECT kind, title, source_type, source_id, customer_id FROM info_records
            WHERE id = @id AND state = 'destroy_requested' AND destroy_requested_by IS DISTINCT FROM @actorId
            FOR UPDATE
            """, new { id, actorId = actor.Id }, tx, cancellationToken: ct)) ?? throw new DomainException("Info.ApprovalRefused");
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE info_records SET state = 'destroyed', body = NULL, private_data = NULL, customer_id = NULL,
                destroy_approved_by = @actorId, destroyed_at = @now
            WHERE id = @id
            """, new { id, actorId = actor.Id, now }, tx, cancellationToken: ct));
        var customerId = row.CustomerId;
        if (row.SourceType is { } type && row.SourceId is { } sourceId)
            customerId = await ScrubSourceAsync(conn, tx, type, sourceId, ct) ?? customerId;
        var anonymised = customerId is { } c && await AnonymiseCustomerAsync(conn, tx, c, now, ct);
        await audit.WriteAsync(conn, tx, actor, "info-destroyed", "info_record", id.ToString(),
            $"{row.Title}{(row.SourceType is null ? "" : $" ({row.SourceType} {row.SourceId})")}{(anonymised ? " customer anonymised" : "")}", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Refuses a destruction: the record is kept for another retention period, with the reason.</summary>
    public async Task RejectDestructionAsync(Actor actor, long id, string reason, CancellationToken ct = default)
    {
        actor.Require(Access.Approvers);
        CheckReason(reason);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var kind = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT kind FROM info_records WHERE id = @id AND state = 'destroy_requested' FOR UPDATE", new { id }, tx, cancellationToken: ct))
            ?? throw new DomainException("Info.WrongState");
        var months = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT retention_months FROM info_kinds WHERE code = @kind", new { kind }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE info_records SET state = 'stored', retain_until = @until, destroy_rejected_reason = @reason,
                destroy_reason = NULL, destroy_requested_by = NULL, destroy_requested_at = NULL
            WHERE id = @id
            """, new { id, reason = reason.Trim(), until = now.AddMonths(months) }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, "info-destroy-rejected", "info_record", id.ToString(), reason.Trim(), ct);
        await tx.CommitAsync(ct);
    }

    private static void CheckReason(string? reason)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Reason", reason, InfoRecord.ReasonMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
    }

    private const string Destroyed = "（已销档）";

    /// <summary>Removes the free text (what the customer said, answers, notes) of the record a register row stands for; returns its customer.</summary>
    private static Task<int?> ScrubSourceAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string type, long id, CancellationToken ct)
    {
        // A complaint's text is blanked by its owner, the complaint lifecycle.
        if (type == "complaint") return ComplaintLifecycle.BlankTextAsync(conn, tx, id, Destroyed, ct);
        var sql = type switch
        {
            "contact" => """
                UPDATE contacts SET content = @x, answer = CASE WHEN answer = '' THEN '' ELSE @x END, purpose = CASE WHEN purpose = '' THEN '' ELSE @x END,
                    reception_confirmed_by = CASE WHEN reception_confirmed_by IS NULL THEN NULL ELSE @x END,
                    handover_result = CASE WHEN handover_result IS NULL THEN NULL ELSE @x END
                WHERE id = @id RETURNING customer_id
                """,
            "return_visit" => "UPDATE return_visit_tasks SET customer_words = CASE WHEN customer_words IS NULL THEN NULL ELSE @x END WHERE id = @id RETURNING customer_id",
            "emergency" => """
                UPDATE emergencies SET description = @x, cause = CASE WHEN cause IS NULL THEN NULL ELSE @x END,
                    scope = CASE WHEN scope IS NULL THEN NULL ELSE @x END, response = CASE WHEN response IS NULL THEN NULL ELSE @x END
                WHERE id = @id RETURNING NULL::integer
                """,
            "release" => "UPDATE info_releases SET body = @x WHERE id = @id RETURNING NULL::integer",
            _ => throw new InvalidOperationException(type),
        };
        return conn.ExecuteScalarAsync<int?>(new CommandDefinition(sql, new { id, x = Destroyed }, tx, cancellationToken: ct));
    }

    /// <summary>Once every complaint, contact, return visit and register row of a customer is destroyed, the customer's private data goes too.</summary>
    private static async Task<bool> AnonymiseCustomerAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int customerId, DateTimeOffset now, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE customers cu SET name = @x, phone = '010-00000000', phone2 = NULL, membership_no = NULL, membership_level = NULL, notes = '', updated_at = @now
            WHERE cu.id = @customerId
              AND NOT EXISTS (SELECT 1 FROM info_records r WHERE r.customer_id = cu.id)
              AND NOT EXISTS (SELECT 1 FROM complaints c WHERE c.customer_id = cu.id AND NOT EXISTS (
                    SELECT 1 FROM info_records r WHERE r.source_type = 'complaint' AND r.source_id = c.id AND r.state = 'destroyed'))
              AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.customer_id = cu.id AND NOT EXISTS (
                    SELECT 1 FROM info_records r WHERE r.source_type = 'contact' AND r.source_id = c.id AND r.state = 'destroyed'))
              AND NOT EXISTS (SELECT 1 FROM return_visit_tasks t WHERE t.customer_id = cu.id AND NOT EXISTS (
                    SELECT 1 FROM info_records r WHERE r.source_type = 'return_visit' AND r.source_id = t.id AND r.state = 'destroyed'))
            """, new { customerId, now, x = Destroyed }, tx, cancellationToken: ct)) > 0;

    private const string SelectRecord = """
        SELECT r.id, r.kind, r.title, r.body, r.private_data, r.state, f.display_name AS filed_by_name, r.filed_at, r.stored_at, r.retain_until,
               r.destroy_reason, a.display_name AS destroy_approved_by_name, r.destroyed_at, r.source_type, r.source_id,
               q.display_name AS destroy_requested_by_name, r.destroy_requested_at, r.destroy_rejected_reason
        FROM info_records r LEFT JOIN users f ON f.id = r.filed_by LEFT JOIN users a ON a.id = r.destroy_approved_by
             LEFT JOIN users q ON q.id = r.destroy_requested_by
        """;

    /// <summary>The records of a kind, for its readers only (anyone else is refused, so neither page nor query shows them).</summary>
    public async Task<IReadOnlyList<InfoRecord>> RecordsAsync(Actor actor, string kind, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ReadableKindAsync(conn, actor, kind, ct);
        return (await conn.QueryAsync<InfoRecord>(new CommandDefinition(SelectRecord + " WHERE r.kind = @kind ORDER BY r.filed_at DESC, r.id DESC",
            new { kind }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Destructions waiting for an approval: all of them for the approvers (admins and leadership — they see titles and reasons, which
    /// carry no private data), those of the kinds they read for anyone else.
    /// </summary>
    public async Task<IReadOnlyList<InfoRecord>> PendingDestructionsAsync(Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var dept = actor.DepartmentId is { } d
            ? await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT code FROM departments WHERE id = @d", new { d }, cancellationToken: ct))
            : null;
        return (await conn.QueryAsync<InfoRecord>(new CommandDefinition(SelectRecord + """
             JOIN info_kinds k ON k.code = r.kind
            WHERE r.state = 'destroy_requested' AND (@approver OR k.reader_roles && @roles OR k.owner_department_code = @dept)
            ORDER BY r.destroy_requested_at, r.id
            """, new { approver = actor.IsIn(Access.Approvers), roles = actor.Roles.ToArray(), dept }, cancellationToken: ct))).AsList();
    }
}
