using Dapper;
using Npgsql;

namespace ServiceHub.Tests.Faults;

/// <summary>Complaints for the closure sweep's fault tests, each marked in its content with what it is.</summary>
public static class ClosureData
{
    /// <summary>
    /// <paramref name="eligible"/> complaints handled eight days ago without a return visit and classified (eligible), and beside them what must stay
    /// as it is: handled two days ago, handled eight days ago but unclassified, handled ten days ago needing a return visit, in progress.
    /// </summary>
    public static async Task SeedAsync(NpgsqlConnection conn, DateTimeOffset now, int eligible)
    {
        var dept = await conn.ExecuteScalarAsync<int>("INSERT INTO departments (code, name, name_en) VALUES ('FLT', '故障部门', 'Faults') RETURNING id");
        var user = await conn.ExecuteScalarAsync<int>("INSERT INTO users (user_name, display_name, password_hash, roles) VALUES ('fault', 'fault', 'x', '{agent}') RETURNING id");
        var customer = await conn.ExecuteScalarAsync<int>("INSERT INTO customers (name, phone) VALUES ('故障客户', '13900000016') RETURNING id");
        await conn.ExecuteAsync("""
            WITH kinds(kind, n, handled, needs, classified) AS (VALUES
                ('eligible', @eligible, @now - interval '8 days', false, true),
                ('recent', 2000, @now - interval '2 days', false, true),
                ('unclassified', 2000, @now - interval '8 days', false, false),
                ('visit', 1000, @now - interval '10 days', true, true),
                ('open', 1000, NULL::timestamptz, false, false)),
            rows AS (
                SELECT k.*, row_number() OVER () AS g FROM kinds k CROSS JOIN LATERAL generate_series(1, k.n)),
            contacts AS (
                INSERT INTO contacts (register_no, channel, kind, customer_id, content, received_at, first_responder_id, created_at)
                SELECT 'FLT-' || g, 'phone', 'complaint', @customer, '故障测试', @now - interval '11 days', @user, @now FROM rows
                RETURNING id, register_no)
            INSERT INTO complaints (sheet_no, contact_id, customer_id, channel, content, department_id, registered_by, registered_at,
                                    reply_due_at, handled_at, needs_return_visit, root_cause_id, updated_at)
            SELECT 'FLT-' || r.g, c.id, @customer, 'phone', r.kind, @dept, @user, @now - interval '11 days', @now - interval '10 days',
                   r.handled, r.needs, CASE WHEN r.classified THEN (SELECT min(id) FROM root_causes) END, @now - interval '11 days'
            FROM rows r JOIN contacts c ON c.register_no = 'FLT-' || r.g
            """, new { now, eligible, dept, user, customer }, commandTimeout: 300);
        // Each complaint's state row was created with it ('registered'): the states, set-based.
        await conn.ExecuteAsync("""
            UPDATE complaint_states s SET state = CASE c.content WHEN 'open' THEN 'contacted' ELSE 'handled' END
            FROM complaints c WHERE c.id = s.complaint_id AND c.sheet_no LIKE 'FLT-%'
            """, commandTimeout: 300);
        await conn.ExecuteAsync("ANALYZE complaints; ANALYZE complaint_states; ANALYZE complaint_events;");
    }
}
