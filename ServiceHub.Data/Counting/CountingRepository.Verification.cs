using Dapper;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>Counting rule 1: every complaint is recorded; the CS supervisor verifies whether it is counted in statistics.</summary>
public sealed partial class CountingRepository
{
    /// <summary>The CS supervisor marks a counted complaint (the survivor of its group) counted or not counted; not counted needs a reason.</summary>
    public async Task VerifyAsync(Actor actor, long complaintId, bool counted, string? reason, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Verify);
        if (!counted && string.IsNullOrWhiteSpace(reason)) throw Invalid("Reason", "Counting.ReasonRequired");
        if (TextInput.Error(reason, ReasonMax, required: false) is { } error) throw Invalid("Reason", error.Code, error.Args);
        var r = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        await db.InTransactionAsync((conn, tx) => lifecycle.VerifyAsync(conn, tx, actor, complaintId, counted, r, ct), ct);
    }

    /// <summary>Counted complaints awaiting verification, oldest first.</summary>
    public async Task<Page<VerificationItem>> AwaitingVerificationAsync(Actor actor, int? projectId, int skip, int take, CancellationToken ct = default)
    {
        actor.Require(Admin.Access.Supervisor);
        var args = new { projectId, skip = Search.Skip(skip), take = Search.Take(take) };
        const string where = "WHERE c.counted IS NULL AND c.merged_into_id IS NULL AND (@projectId IS NULL OR c.project_id = @projectId)";
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<VerificationItem>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, c.registered_at, cu.name AS customer_name, p.name AS project_name, c.content,
                   r.name AS root_cause_name, r.name_en AS root_cause_name_en, g.complainants, g.times
            FROM complaints c
            JOIN customers cu ON cu.id = c.customer_id
            LEFT JOIN projects p ON p.id = c.project_id
            LEFT JOIN root_causes r ON r.id = c.root_cause_id
            CROSS JOIN LATERAL ({GroupCountsSql}) g
            {where}
            ORDER BY c.registered_at, c.id OFFSET @skip LIMIT @take
            """, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) FROM complaints c {where}", args, cancellationToken: ct));
        return new Page<VerificationItem>(items.AsList(), total);
    }
}
