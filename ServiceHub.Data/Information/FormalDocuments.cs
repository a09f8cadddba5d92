using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Information;

public sealed record FormalDocument(int Id, int DepartmentId, string DepartmentName, string Title, string Body, string SentByName, DateTimeOffset SentAt, int Forwards, string DepartmentNameEn = "")
{
    /// <summary>Length limits of a document (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int TitleMax = 200, BodyMax = 4000;
}

public sealed record DocumentForward(long Id, int DocumentId, string? ToUserName, string? ToDepartmentName, string ForwardedByName, DateTimeOffset ForwardedAt, string Note, string? ToDepartmentNameEn = null)
{
    /// <summary>The longest note of a forward (CHECK in sql/0160).</summary>
    public const int NoteMax = 500;
}

/// <summary>Which documents: those reaching the document administrator, those forwarded to me or my department, those my department sent.</summary>
public enum DocumentBox { Inbox, Received, Sent }

/// <summary>
/// Formal documents (正式文件, DOMAIN.md §2): a department's formal documents reach the Enterprise Development Dept's document
/// administrator (an account an admin marks as such), who forwards each to the leaders or departments concerned; every forward is
/// recorded (who, to whom, when, note) and the recipients see what was forwarded to them.
/// </summary>
public sealed class FormalDocumentRepository(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public const string NotificationKind = "formal-document";

    public async Task<bool> IsDocumentAdminAsync(Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await IsDocumentAdminAsync(conn, null, actor, ct);
    }

    private static Task<bool> IsDocumentAdminAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Actor actor, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id = @id AND is_active AND is_document_admin)", new { id = actor.Id }, tx, cancellationToken: ct));

    /// <summary>A department sends a formal document (the sender must belong to a department); the document administrators are notified.</summary>
    public async Task<int> SendAsync(Actor actor, string title, string body, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Title", title, FormalDocument.TitleMax);
        TextInput.Check(errors, "Body", body, FormalDocument.BodyMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        if (actor.DepartmentId is not { } dept) throw new DomainException("Document.NoDepartment");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            INSERT INTO formal_documents (department_id, title, body, sent_by, sent_at) VALUES (@dept, @title, @body, @actorId, @now) RETURNING id
            """, new { dept, title = title.Trim(), body = body.Trim(), actorId = actor.Id, now }, tx, cancellationToken: ct));
        var admins = await conn.QueryAsync<int>(new CommandDefinition(
            "SELECT id FROM users WHERE is_active AND is_document_admin", transaction: tx, cancellationToken: ct));
        await NotificationRepository.NotifyAsync(conn, tx, admins, now, NotificationKind, null, "Document.Notify.Received", [title.Trim()],
            "/documents", $"doc-{id}", ct);
        await audit.WriteAsync(conn, tx, actor, "document-sent", "formal_document", id.ToString(), title.Trim(), ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>The document administrator forwards a document to a leader (an active leadership account) or a department.</summary>
    public async Task ForwardAsync(Actor actor, int documentId, int? toUserId, int? toDepartmentId, string note, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, FieldError>();
        if ((toUserId is null) == (toDepartmentId is null)) errors["Recipient"] = new("Validation.Required");
        TextInput.Check(errors, "Note", note, DocumentForward.NoteMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await IsDocumentAdminAsync(conn, tx, actor, ct)) throw new ForbiddenException(actor.UserName, ["document-admin"]);
        var title = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT title FROM formal_documents WHERE id = @documentId", new { documentId }, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        var recipients = (await conn.QueryAsync<int>(new CommandDefinition("""
            SELECT id FROM users WHERE is_active AND (id = @toUserId AND 'leadership' = ANY (roles) OR department_id = @toDepartmentId)
            """, new { toUserId, toDepartmentId }, tx, cancellationToken: ct))).AsList();
        if (toUserId is not null && recipients.Count == 0)
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Recipient"] = new("Document.NotALeader") });
        var now = clock.GetUtcNow();
        long id;
        try
        {
            id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO formal_document_forwards (document_id, to_user_id, to_department_id, forwarded_by, forwarded_at, note)
                VALUES (@documentId, @toUserId, @toDepartmentId, @actorId, @now, @note) RETURNING id
                """, new { documentId, toUserId, toDepartmentId, actorId = actor.Id, now, note = (note ?? "").Trim() }, tx, cancellationToken: ct));
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new DomainException("Document.AlreadyForwarded");
        }
        await NotificationRepository.NotifyAsync(conn, tx, recipients, now, NotificationKind, null, "Document.Notify.Forwarded", [title],
            "/documents", $"docfwd-{id}", ct);
        await audit.WriteAsync(conn, tx, actor, "document-forwarded", "formal_document", documentId.ToString(),
            toUserId is null ? $"→ department {toDepartmentId}" : $"→ user {toUserId}", ct);
        await tx.CommitAsync(ct);
    }

    private const string SelectDocument = """
        SELECT d.id, d.department_id, dep.name AS department_name, d.title, d.body, u.display_name AS sent_by_name, d.sent_at,
               (SELECT count(*)::int FROM formal_document_forwards f WHERE f.document_id = d.id) AS forwards, dep.name_en AS department_name_en
        FROM formal_documents d JOIN departments dep ON dep.id = d.department_id JOIN users u ON u.id = d.sent_by
        """;

    /// <summary>The inbox is the document administrator's only; anyone sees what reached them or their department and what their department sent.</summary>
    public async Task<IReadOnlyList<FormalDocument>> ListAsync(Actor actor, DocumentBox box, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (box == DocumentBox.Inbox && !await IsDocumentAdminAsync(conn, null, actor, ct)) throw new ForbiddenException(actor.UserName, ["document-admin"]);
        var where = box switch
        {
            DocumentBox.Inbox => "TRUE",
            DocumentBox.Received => """
                EXISTS (SELECT 1 FROM formal_document_forwards f WHERE f.document_id = d.id AND (f.to_user_id = @actorId OR f.to_department_id = @dept))
                """,
            _ => "d.department_id = @dept",
        };
        return (await conn.QueryAsync<FormalDocument>(new CommandDefinition(
            $"{SelectDocument} WHERE {where} ORDER BY d.sent_at DESC, d.id DESC LIMIT 500",
            new { actorId = actor.Id, dept = actor.DepartmentId }, cancellationToken: ct))).AsList();
    }

    /// <summary>The forwards of a document, for the document administrator and the sending department.</summary>
    public async Task<IReadOnlyList<DocumentForward>> ForwardsAsync(Actor actor, int documentId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var dept = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT department_id FROM formal_documents WHERE id = @documentId", new { documentId }, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        if (dept != actor.DepartmentId && !await IsDocumentAdminAsync(conn, null, actor, ct)) throw new ForbiddenException(actor.UserName, ["document-admin"]);
        return (await conn.QueryAsync<DocumentForward>(new CommandDefinition("""
            SELECT f.id, f.document_id, u.display_name AS to_user_name, dep.name AS to_department_name, b.display_name AS forwarded_by_name, f.forwarded_at, f.note,
                   dep.name_en AS to_department_name_en
            FROM formal_document_forwards f LEFT JOIN users u ON u.id = f.to_user_id LEFT JOIN departments dep ON dep.id = f.to_department_id
                 JOIN users b ON b.id = f.forwarded_by
            WHERE f.document_id = @documentId ORDER BY f.forwarded_at, f.id
            """, new { documentId }, cancellationToken: ct))).AsList();
    }
}
