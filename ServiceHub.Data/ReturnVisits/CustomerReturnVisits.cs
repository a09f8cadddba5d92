using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.ReturnVisits;

public sealed record CustomerReturnVisit(long Id, string Kind, string? SheetNo, long? ComplaintId, string State, string? Outcome, string? CustomerWords,
    string? AssigneeName, DateTimeOffset DueAt, DateTimeOffset? CompletedAt, int Attempts);

/// <summary>A customer's return visits, for the customer dossier (客户档案).</summary>
public sealed class CustomerReturnVisits(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<CustomerReturnVisit>> ForCustomerAsync(Actor actor, int customerId, CancellationToken ct = default)
    {
        actor.Require(Access.CustomerDossier);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CustomerReturnVisit>(new CommandDefinition(ForCustomerSql, new { customerId }, cancellationToken: ct))).AsList();
    }

    /// <summary>The customer's return visits, newest first (through <c>return_visit_tasks_customer_idx</c>).</summary>
    public const string ForCustomerSql = """
        SELECT t.id, t.kind, c.sheet_no, t.complaint_id, t.state, t.outcome, t.customer_words, u.display_name AS assignee_name,
               t.due_at, t.completed_at, (SELECT count(*) FROM return_visit_attempts a WHERE a.task_id = t.id)::int AS attempts
        FROM return_visit_tasks t
        LEFT JOIN complaints c ON c.id = t.complaint_id
        LEFT JOIN users u ON u.id = t.assignee_id
        WHERE t.customer_id = @customerId
        ORDER BY t.created_at DESC, t.id DESC
        """;
}
