using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Data.Counting;

/// <summary>
/// Standard replies (统一答复口径, DOMAIN.md §4): a department writes the unified reply for a matter of a project, the CS supervisor
/// approves it, agents answer with it in one click; each use is one row with the customer's opinion, so the frequency of each matter
/// is the count of its uses.
/// </summary>
public sealed class StandardReplyRepository(NpgsqlDataSource db, TimeProvider clock)
{

    private const string Select = """
        SELECT s.id, s.project_id, p.name AS project_name, s.matter, s.reply, s.department_id, d.name AS department_name,
               a.display_name AS author_name, s.created_at, s.status, db.display_name AS decided_by_name, s.decided_at, s.decision_note,
               coalesce(u.uses, 0) AS uses, coalesce(u.satisfied, 0) AS satisfied, coalesce(u.dissatisfied, 0) AS dissatisfied
        FROM standard_replies s
        JOIN projects p ON p.id = s.project_id
        JOIN departments d ON d.id = s.department_id
        JOIN users a ON a.id = s.author_id
        LEFT JOIN users db ON db.id = s.decided_by
        LEFT JOIN LATERAL (
            SELECT count(*)::int AS uses, count(*) FILTER (WHERE x.opinion = 'satisfied')::int AS satisfied,
                   count(*) FILTER (WHERE x.opinion = 'dissatisfied')::int AS dissatisfied
            FROM standard_reply_uses x WHERE x.reply_id = s.id
        ) u ON true
        """;

    /// <summary>All replies, most used first within a project; optionally one project or one status.</summary>
    public async Task<IReadOnlyList<StandardReply>> ListAsync(int? projectId = null, string? status = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<StandardReply>(new CommandDefinition(Select + """

            WHERE (@projectId IS NULL OR s.project_id = @projectId) AND (@status IS NULL OR s.status = @status)
            ORDER BY p.name, coalesce(u.uses, 0) DESC, s.id DESC
            """, new { projectId, status }, cancellationToken: ct))).AsList();
    }

    public async Task<StandardReply?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StandardReply>(new CommandDefinition(Select + " WHERE s.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>A department's manager or handler writes the reply for its own department; it waits for the supervisor's approval.</summary>
    public async Task<int> SubmitAsync(Actor actor, StandardReplyDraft draft, CancellationToken ct = default)
    {
        actor.Require(Access.StandardReplyAuthors);
        var errors = new Dictionary<string, FieldError>();
        if (draft.ProjectId <= 0) errors[nameof(draft.ProjectId)] = new("Validation.Required");
        TextInput.Check(errors, nameof(draft.Matter), draft.Matter, StandardReplyDraft.MatterMax);
        TextInput.Check(errors, nameof(draft.Reply), draft.Reply, StandardReplyDraft.ReplyMax);
        if (actor.DepartmentId is null) errors[nameof(draft.Matter)] = new("Counting.Reply.NoDepartment");
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            INSERT INTO standard_replies (project_id, matter, reply, department_id, author_id, created_at, status)
            VALUES (@ProjectId, @matter, @reply, @departmentId, @actorId, @now, 'pending') RETURNING id
            """, new { draft.ProjectId, matter = draft.Matter.Trim(), reply = draft.Reply.Trim(), departmentId = actor.DepartmentId, actorId = actor.Id, now = clock.GetUtcNow() },
            cancellationToken: ct));
    }

    /// <summary>The CS supervisor approves or rejects a pending reply, or retires an approved one.</summary>
    public async Task DecideAsync(Actor actor, int id, string status, string? note, CancellationToken ct = default)
    {
        actor.Require(Access.Supervisor);
        var from = status switch
        {
            StandardReplyStatuses.Approved or StandardReplyStatuses.Rejected => StandardReplyStatuses.Pending,
            StandardReplyStatuses.Retired => StandardReplyStatuses.Approved,
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        if (status == StandardReplyStatuses.Rejected && string.IsNullOrWhiteSpace(note))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Note"] = new("Counting.ReasonRequired") });
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Note", note, StandardReplyDraft.NoteMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE standard_replies SET status = @status, decided_by = @actorId, decided_at = @now, decision_note = @note
            WHERE id = @id AND status = @from
            """, new { id, status, from, actorId = actor.Id, now = clock.GetUtcNow(), note = note?.Trim() ?? "" }, cancellationToken: ct));
        if (n == 0) throw new DomainException("Counting.Reply.WrongStatus");
    }

    /// <summary>Approved replies of the project whose matter matches the complaint text, best match first (all of them when no text).</summary>
    public async Task<IReadOnlyList<StandardReplyMatch>> MatchAsync(int? projectId, string? content, int take = 5, CancellationToken ct = default)
    {
        if (projectId is null) return [];
        var text = string.IsNullOrWhiteSpace(content) ? null : content.Trim();
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<StandardReplyMatch>(new CommandDefinition("""
            SELECT s.id, s.matter, s.reply, d.name AS department_name, m.score,
                   (SELECT count(*)::int FROM standard_reply_uses x WHERE x.reply_id = s.id) AS uses
            FROM standard_replies s
            JOIN departments d ON d.id = s.department_id
            CROSS JOIN LATERAL (SELECT CASE WHEN @text IS NULL THEN 0
                                       ELSE greatest(word_similarity(s.matter, @text), similarity(s.matter, @text)) END::float8 AS score) m
            WHERE s.project_id = @projectId AND s.status = 'approved' AND (@text IS NULL OR m.score >= @threshold)
            ORDER BY m.score DESC, uses DESC, s.id
            LIMIT @take
            """, new { projectId, text, threshold = CountingOptions.ReplyMatchThreshold, take = Search.Take(take) }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// The agent answers with an approved reply: one usage row per use (the frequency of the matter). The contact is linked now or,
    /// when the contact is not saved yet, later with <see cref="LinkContactAsync"/>.
    /// </summary>
    public async Task<ReplyUse> UseAsync(Actor actor, int replyId, long? contactId, int? customerId, CancellationToken ct = default)
    {
        actor.Require(Access.Intake);
        await using var conn = await db.OpenConnectionAsync(ct);
        var reply = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT reply FROM standard_replies WHERE id = @replyId AND status = 'approved'", new { replyId }, cancellationToken: ct))
            ?? throw new DomainException("Counting.Reply.WrongStatus");
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO standard_reply_uses (reply_id, contact_id, customer_id, used_by, used_at)
            VALUES (@replyId, @contactId, coalesce(@customerId, (SELECT customer_id FROM contacts WHERE id = @contactId)), @actorId, @now)
            RETURNING id
            """, new { replyId, contactId, customerId, actorId = actor.Id, now = clock.GetUtcNow() }, cancellationToken: ct));
        return new ReplyUse(id, replyId, reply);
    }

    /// <summary>Links a use made before the contact was saved to the saved contact (and its customer).</summary>
    public async Task LinkContactAsync(Actor actor, long useId, long contactId, CancellationToken ct = default)
    {
        actor.Require(Access.Intake);
        await db.InTransactionAsync((conn, tx) => LinkContactAsync(conn, tx, useId, contactId, ct), ct);
    }

    /// <summary>The link of <see cref="LinkContactAsync(Actor, long, long, CancellationToken)"/> inside the caller's transaction (intake's registration).</summary>
    internal static async Task LinkContactAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long useId, long contactId, CancellationToken ct)
    {
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE standard_reply_uses SET contact_id = @contactId, customer_id = (SELECT customer_id FROM contacts WHERE id = @contactId)
            WHERE id = @useId AND (contact_id IS NULL OR contact_id = @contactId)
            """, new { useId, contactId }, tx, cancellationToken: ct));
        if (n == 0) throw new DomainException("NotFound");
    }

    /// <summary>The customer's opinion of the reply given.</summary>
    public async Task RecordOpinionAsync(Actor actor, long useId, string opinion, string? note, CancellationToken ct = default)
    {
        actor.Require(Access.Intake);
        var errors = new Dictionary<string, FieldError>();
        if (!ReplyOpinions.All.Contains(opinion)) errors["Opinion"] = new("Validation.Required");
        TextInput.Check(errors, "Note", note, StandardReplyDraft.NoteMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE standard_reply_uses SET opinion = @opinion, opinion_note = @note WHERE id = @useId",
            new { useId, opinion, note = note?.Trim() ?? "" }, cancellationToken: ct));
        if (n == 0) throw new DomainException("NotFound");
    }
}
