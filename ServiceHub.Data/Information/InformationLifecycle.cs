using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Information;

public sealed record FilingResult(int Filed, int Stored);

/// <summary>
/// The register's automatic side (DOMAIN.md §2). <see cref="FileAndStoreAsync"/> files the records other modules keep — complaint
/// sheets when registered, consultations/inquiries and the hotline/reception register lines when received, return visits when
/// finished, compensation and loss emergencies when reported — and stores each (retention starts) at its natural end: a complaint
/// when closed, a contact when answered or its hand-over result is recorded, a return visit when done or cancelled, an emergency when
/// the manager's arrival is recorded. It runs as a job, not inside intake, so intake never waits on the register; every statement is
/// idempotent (one register row per source row, by a unique index; state moves only forward), so re-runs and overlapping runs are harmless.
/// <see cref="RequestDueDestructionsAsync"/> puts every stored record whose retention has ended up for destruction — only a request:
/// an admin or leadership approves or refuses it in the register.
/// </summary>
public sealed class InformationLifecycle(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    private static readonly string[] FileStatements =
    [
        // Complaint sheets (客户投诉信息), filed when registered.
        """
        INSERT INTO info_records (kind, title, customer_id, filed_at, source_type, source_id)
        SELECT 'complaints', '投诉记录单 ' || c.sheet_no, c.customer_id, c.registered_at, 'complaint', c.id
        FROM complaints c
        WHERE (@Since IS NULL OR c.registered_at >= @Since)
          AND NOT EXISTS (SELECT 1 FROM info_records r WHERE r.source_type = 'complaint' AND r.source_id = c.id)
        ON CONFLICT DO NOTHING
        """,
        // Consultations and inquiries (客户问题信息); the call/visit register line of a complaint (服务热线及客户接待信息).
        """
        INSERT INTO info_records (kind, title, customer_id, filed_at, source_type, source_id)
        SELECT CASE WHEN c.kind = 'complaint' THEN 'hotline_reception' ELSE 'questions' END,
               CASE WHEN c.kind = 'complaint' THEN '来电来访登记 ' ELSE '咨询查询登记 ' END || c.register_no,
               c.customer_id, c.received_at, 'contact', c.id
        FROM contacts c
        WHERE (c.kind <> 'complaint' OR c.channel IN ('phone', 'visit'))
          AND (@Since IS NULL OR c.received_at >= @Since)
          AND NOT EXISTS (SELECT 1 FROM info_records r WHERE r.source_type = 'contact' AND r.source_id = c.id)
        ON CONFLICT DO NOTHING
        """,
        // Return visits (客户回访信息), once finished.
        """
        INSERT INTO info_records (kind, title, customer_id, filed_at, source_type, source_id)
        SELECT 'return_visits', '回访记录 #' || t.id, t.customer_id, coalesce(t.completed_at, t.created_at), 'return_visit', t.id
        FROM return_visit_tasks t
        WHERE t.state IN ('done', 'cancelled')
          AND (@Since IS NULL OR t.completed_at >= @Since)
          AND NOT EXISTS (SELECT 1 FROM info_records r WHERE r.source_type = 'return_visit' AND r.source_id = t.id)
        ON CONFLICT DO NOTHING
        """,
        // Compensation and company losses of 5000 yuan or more (客户补偿信息), filed when reported.
        """
        INSERT INTO info_records (kind, title, filed_at, source_type, source_id)
        SELECT 'compensation', '赔偿及损失 #' || e.id || '（' || e.amount_yuan || ' 元）', e.reported_at, 'emergency', e.id
        FROM emergencies e
        WHERE e.kind = 'compensation_loss'
          AND (@Since IS NULL OR e.reported_at >= @Since)
          AND NOT EXISTS (SELECT 1 FROM info_records r WHERE r.source_type = 'emergency' AND r.source_id = e.id)
        ON CONFLICT DO NOTHING
        """,
    ];

    private const string StoreStatement = """
        WITH ended AS (
            SELECT r.id, src.ended_at
            FROM info_records r
            JOIN LATERAL (
                SELECT s.closed_at AS ended_at FROM complaint_states s WHERE r.source_type = 'complaint' AND s.complaint_id = r.source_id AND s.state = 'closed'
                UNION ALL
                SELECT CASE WHEN c.handover_to_id IS NULL THEN c.received_at ELSE c.handover_result_at END FROM contacts c
                WHERE r.source_type = 'contact' AND c.id = r.source_id AND (c.handover_to_id IS NULL OR c.handover_result_at IS NOT NULL)
                UNION ALL
                SELECT coalesce(t.completed_at, r.filed_at) FROM return_visit_tasks t WHERE r.source_type = 'return_visit' AND t.id = r.source_id
                UNION ALL
                SELECT e.arrived_at FROM emergencies e WHERE r.source_type = 'emergency' AND e.id = r.source_id AND e.state = 'on_site'
            ) src ON src.ended_at IS NOT NULL
            WHERE r.state = 'filed' AND r.source_type IS NOT NULL
        )
        UPDATE info_records r SET state = 'stored', stored_at = ended.ended_at,
            retain_until = ended.ended_at + make_interval(months => k.retention_months)
        FROM ended, info_kinds k
        WHERE r.id = ended.id AND k.code = r.kind AND r.state = 'filed'
        """;

    /// <summary>
    /// Files what is new and stores what has ended. <paramref name="since"/> limits the filing to records from then on (the frequent
    /// run looks at the last days only, so its cost follows the day's work, not the tables); null looks at everything (the nightly
    /// run, which also catches up after any outage).
    /// </summary>
    public async Task<FilingResult> FileAndStoreAsync(DateTimeOffset? since = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var filed = 0;
        foreach (var sql in FileStatements)
            filed += await conn.ExecuteAsync(new CommandDefinition(sql, new { Since = since }, transaction: tx, cancellationToken: ct));
        var stored = await conn.ExecuteAsync(new CommandDefinition(StoreStatement, transaction: tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new FilingResult(filed, stored);
    }

    /// <summary>Stored records whose retention has ended become destruction requests (by the system); each is audited. Returns how many.</summary>
    public async Task<int> RequestDueDestructionsAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ids = (await conn.QueryAsync<(long Id, string Title)>(new CommandDefinition("""
            UPDATE info_records SET state = 'destroy_requested', destroy_reason = @reason, destroy_requested_by = NULL, destroy_requested_at = @now
            WHERE state = 'stored' AND retain_until <= @now
            RETURNING id, title
            """, new { now = clock.GetUtcNow(), reason = InfoRecord.RetentionEnded }, tx, cancellationToken: ct))).AsList();
        foreach (var (id, title) in ids)
            await audit.WriteAsync(conn, tx, Actor.System, "info-destroy-requested", "info_record", id.ToString(), title, ct);
        await tx.CommitAsync(ct);
        return ids.Count;
    }
}
