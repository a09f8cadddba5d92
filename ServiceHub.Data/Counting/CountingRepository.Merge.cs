using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Data.Counting;

/// <summary>
/// Counting rules 2–3: the same complaint raised by several people or several times counts once — a merge group whose surviving
/// complaint counts, with its complainants, times and impact; every contact stays linked; a merge can be undone.
/// </summary>
public sealed partial class CountingRepository
{
    /// <summary>Times (contacts) and complainants (distinct customers) of the group whose survivor is <c>c</c>.</summary>
    internal const string GroupCountsSql = """
        SELECT count(*)::int AS times, count(DISTINCT vc.customer_id)::int AS complainants
        FROM (
            SELECT m.contact_id FROM complaints m WHERE m.id = c.id OR m.merged_into_id = c.id
            UNION
            SELECT cc.contact_id FROM complaint_contacts cc JOIN complaints m ON m.id = cc.complaint_id WHERE m.id = c.id OR m.merged_into_id = c.id
        ) v JOIN contacts vc ON vc.id = v.contact_id
        """;

    public async Task<CountingInfo?> GetAsync(Actor actor, long complaintId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ComplaintRepository.RequireReadableAsync(conn, actor, complaintId, ct);
        return await conn.QuerySingleOrDefaultAsync<CountingInfo>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, c.customer_id, cu.name AS customer_name, c.project_id, p.name AS project_name, c.department_id, c.channel,
                   c.content, st.state, c.registered_at, c.root_cause_id, r.name AS root_cause_name, r.name_en AS root_cause_name_en,
                   c.counted, c.count_reason, vb.display_name AS verified_by_name, c.verified_at,
                   c.merged_into_id, mi.sheet_no AS merged_into_sheet_no, c.impact, c.post_url, c.follow_up_count, c.heat, c.offline_impact,
                   c.split_from_id, sf.sheet_no AS split_from_sheet_no, g.complainants, g.times
            FROM complaints c
            {ComplaintSql.JoinState}
            JOIN customers cu ON cu.id = c.customer_id
            LEFT JOIN projects p ON p.id = c.project_id
            LEFT JOIN root_causes r ON r.id = c.root_cause_id
            LEFT JOIN users vb ON vb.id = c.verified_by
            LEFT JOIN complaints mi ON mi.id = c.merged_into_id
            LEFT JOIN complaints sf ON sf.id = c.split_from_id
            CROSS JOIN LATERAL ({GroupCountsSql}) g
            WHERE c.id = @complaintId
            """, new { complaintId }, cancellationToken: ct));
    }

    /// <summary>Every contact that raised the counted complaint: its own, those of merged complaints and those attached.</summary>
    public async Task<IReadOnlyList<Voice>> VoicesAsync(Actor actor, long complaintId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ComplaintRepository.RequireReadableAsync(conn, actor, complaintId, ct);
        return (await conn.QueryAsync<Voice>(new CommandDefinition("""
            WITH head AS (SELECT coalesce(merged_into_id, id) AS id FROM complaints WHERE id = @complaintId),
            members AS (SELECT m.id, m.sheet_no, m.contact_id, m.merged_into_id FROM complaints m, head WHERE m.id = head.id OR m.merged_into_id = head.id),
            v AS (
                SELECT contact_id, id AS complaint_id, sheet_no, CASE WHEN merged_into_id IS NULL THEN 'original' ELSE 'merged' END AS how FROM members
                UNION ALL
                SELECT cc.contact_id, m.id, m.sheet_no, 'attached' FROM complaint_contacts cc JOIN members m ON m.id = cc.complaint_id
            )
            SELECT ct.id AS contact_id, ct.register_no, ct.received_at, ct.customer_id, cu.name AS customer_name, ct.channel, ct.content,
                   v.complaint_id, v.sheet_no, v.how
            FROM v JOIN contacts ct ON ct.id = v.contact_id JOIN customers cu ON cu.id = ct.customer_id
            ORDER BY ct.received_at, ct.id
            """, new { complaintId }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<GroupMember>> MembersAsync(Actor actor, long survivorId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ComplaintRepository.RequireReadableAsync(conn, actor, survivorId, ct);
        return (await conn.QueryAsync<GroupMember>(new CommandDefinition("""
            SELECT c.id, c.sheet_no, cu.name AS customer_name, c.registered_at, c.content, c.merged_at
            FROM complaints c JOIN customers cu ON cu.id = c.customer_id
            WHERE c.merged_into_id = @survivorId ORDER BY c.registered_at, c.id
            """, new { survivorId }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Merges a complaint (with its own merged complaints and attached contacts) into the group of <paramref name="survivorId"/>:
    /// the same complaint raised by several people or several times counts once. Every contact stays linked.
    /// </summary>
    public async Task MergeAsync(Actor actor, long survivorId, long mergedId, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Merge);
        await db.InTransactionAsync((conn, tx) => lifecycle.MergeAsync(conn, tx, actor, ComplaintAction.Merge, survivorId, mergedId, ct), ct);
    }

    /// <summary>Undoes a merge: the complaint is its own counted complaint again, with its own contacts and verification.</summary>
    public async Task UnmergeAsync(Actor actor, long complaintId, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Unmerge);
        await db.InTransactionAsync((conn, tx) => lifecycle.UnmergeAsync(conn, tx, actor, complaintId, ct), ct);
    }

    /// <summary>
    /// At intake, the agent attaches a contact to an existing complaint instead of opening a new one. A contact that already opened a
    /// complaint of its own is merged with it (so nothing is lost); otherwise the contact is linked as a further voice.
    /// </summary>
    public async Task AttachContactAsync(Actor actor, long complaintId, long contactId, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Attach);
        await db.InTransactionAsync((conn, tx) => AttachContactAsync(conn, tx, actor, complaintId, contactId, ct), ct);
    }

    /// <summary>The attach of <see cref="AttachContactAsync(Actor, long, long, CancellationToken)"/> inside the caller's transaction (intake's registration).</summary>
    internal async Task AttachContactAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long complaintId, long contactId, CancellationToken ct)
    {
        var own = await conn.QuerySingleOrDefaultAsync<(long Id, long? ComplaintId)?>(new CommandDefinition(
            "SELECT ct.id, c.id FROM contacts ct LEFT JOIN complaints c ON c.contact_id = ct.id WHERE ct.id = @contactId",
            new { contactId }, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        if (own.ComplaintId is { } ownComplaint)
        {
            if (ownComplaint == complaintId) throw new DomainException("Counting.MergeSelf");
            await lifecycle.MergeAsync(conn, tx, actor, ComplaintAction.Attach, complaintId, ownComplaint, ct);
        }
        else await lifecycle.AttachContactAsync(conn, tx, actor, complaintId, contactId, ct);
    }

    /// <summary>The survivor's impact text (影响), shown beside the number of complainants and times.</summary>
    public async Task SetImpactAsync(Actor actor, long complaintId, string impact, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Impact);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Impact", impact, ImpactMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await db.InTransactionAsync((conn, tx) => lifecycle.SetImpactAsync(conn, tx, actor, complaintId, (impact ?? "").Trim(), ct), ct);
    }
}
