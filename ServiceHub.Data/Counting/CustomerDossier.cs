using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

public sealed record DossierContact(long Id, string RegisterNo, string Channel, string Kind, DateTimeOffset ReceivedAt, string Content, string Answer,
    string FirstResponderName, long? ComplaintId, string? SheetNo);

public sealed record DossierComplaint(long Id, string SheetNo, string State, DateTimeOffset RegisteredAt, string Content, string? DepartmentName,
    string? RootCauseName, string? RootCauseNameEn, bool? Counted, long? MergedIntoId, string? MergedIntoSheetNo, bool IsHot);

public sealed record DossierReply(long Id, DateTimeOffset UsedAt, string Matter, string Reply, string? Opinion, string? RegisterNo);

/// <summary>The customer dossier (客户档案): the customer (private data masked) and everything they raised, in one place.</summary>
public sealed record Dossier(CustomerSummary Customer, IReadOnlyList<DossierContact> Contacts, IReadOnlyList<DossierComplaint> Complaints,
    IReadOnlyList<DossierReply> StandardReplies);

public sealed class CustomerDossierRepository(NpgsqlDataSource db, CustomerRepository customers)
{

    /// <summary>Every contact of the customer with its complaint, its own or the one it was attached to (found through <c>complaints_contact_idx</c>).</summary>
    public const string ContactsSql = """
        SELECT ct.id, ct.register_no, ct.channel, ct.kind, ct.received_at, ct.content, ct.answer, u.display_name AS first_responder_name,
               coalesce(c.id, cc.complaint_id) AS complaint_id, coalesce(c.sheet_no, ac.sheet_no) AS sheet_no
        FROM contacts ct
        JOIN users u ON u.id = ct.first_responder_id
        LEFT JOIN complaints c ON c.contact_id = ct.id
        LEFT JOIN complaint_contacts cc ON cc.contact_id = ct.id
        LEFT JOIN complaints ac ON ac.id = cc.complaint_id
        WHERE ct.customer_id = @customerId
        ORDER BY ct.received_at DESC, ct.id DESC
        """;

    public async Task<Dossier?> GetAsync(Actor actor, int customerId, CancellationToken ct = default)
    {
        actor.Require(Access.CustomerDossier);
        var customer = await customers.GetAsync(actor, customerId, ct);
        if (customer is null) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        var contacts = (await conn.QueryAsync<DossierContact>(new CommandDefinition(ContactsSql, new { customerId }, cancellationToken: ct))).AsList();
        var complaints = (await conn.QueryAsync<DossierComplaint>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, st.state, c.registered_at, c.content, d.name AS department_name, r.name AS root_cause_name,
                   r.name_en AS root_cause_name_en, c.counted, c.merged_into_id, m.sheet_no AS merged_into_sheet_no,
                   EXISTS (SELECT 1 FROM hot_complaints h WHERE h.complaint_id = c.id) AS is_hot
            FROM complaints c
            {ComplaintSql.JoinState}
            LEFT JOIN departments d ON d.id = c.department_id
            LEFT JOIN root_causes r ON r.id = c.root_cause_id
            LEFT JOIN complaints m ON m.id = c.merged_into_id
            WHERE c.customer_id = @customerId
            ORDER BY c.registered_at DESC, c.id DESC
            """, new { customerId }, cancellationToken: ct))).AsList();
        var replies = (await conn.QueryAsync<DossierReply>(new CommandDefinition("""
            SELECT x.id, x.used_at, s.matter, s.reply, x.opinion, ct.register_no
            FROM standard_reply_uses x
            JOIN standard_replies s ON s.id = x.reply_id
            LEFT JOIN contacts ct ON ct.id = x.contact_id
            WHERE x.customer_id = @customerId
            ORDER BY x.used_at DESC, x.id DESC
            """, new { customerId }, cancellationToken: ct))).AsList();
        return new Dossier(customer, contacts, complaints, replies);
    }
}
