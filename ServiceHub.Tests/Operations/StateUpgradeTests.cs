using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;
using ServiceHub.Tests.Reports;

namespace ServiceHub.Tests.Operations;

/// <summary>
/// Upgrading a database that holds complaints (sql/0310 moves each complaint's state into its state row, sql/0320 keeps the queues'
/// totals): every complaint keeps its state, close time and reason; the state rows' copies are the complaints' columns; the KPI
/// rollup is what it was and what a rebuild from the rows gives; every department's kept queue total is its queue.
/// </summary>
public sealed class StateUpgradeTests
{
    private const string LastBeforeStateRows = "0300_complaints_by_contact.sql";

    [Fact]
    public async Task A_database_with_complaints_in_every_state_upgrades_with_the_same_states_figures_and_queues()
    {
        var name = $"sh_test_upgrade_{Guid.NewGuid():N}";
        var server = new NpgsqlConnectionStringBuilder(TestServer.ServerConnectionString) { Pooling = false }.ConnectionString;
        await using (var admin = new NpgsqlConnection(server))
            await admin.ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        try
        {
            // The release before the state rows, with complaints as it kept them: the state on the complaint itself.
            Migrator.Run(cs, through: LastBeforeStateRows);
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            await conn.ExecuteAsync("""
                INSERT INTO departments (code, name, name_en) VALUES ('UPA', '升级甲部', 'Upgrade A'), ('UPB', '升级乙部', 'Upgrade B');
                INSERT INTO users (user_name, display_name, password_hash, roles) VALUES ('upgrader', 'upgrader', 'x', '{agent}');
                INSERT INTO customers (name, phone) VALUES ('升级客户', '13900000099');
                WITH kinds(kind, n, state, dept, counted, classified, month) AS (VALUES
                    ('registered', 3, 'registered', NULL, NULL::boolean, false, 0),
                    ('dispatched', 4, 'dispatched', 'UPA', true, false, 0),
                    ('contacted', 5, 'contacted', 'UPB', NULL, false, 1),
                    ('handled', 3, 'handled', 'UPA', true, true, 1),
                    ('closed-a', 6, 'closed', 'UPA', true, true, 0),
                    ('closed-b', 4, 'closed', 'UPB', true, true, 1),
                    ('merged', 2, 'dispatched', 'UPA', NULL, false, 0)),
                rows AS (SELECT k.*, row_number() OVER () AS g FROM kinds k CROSS JOIN LATERAL generate_series(1, k.n)),
                contacts AS (
                    INSERT INTO contacts (register_no, channel, kind, customer_id, content, received_at, first_responder_id, created_at)
                    SELECT 'UPG-' || g, 'phone', 'complaint', (SELECT id FROM customers WHERE phone = '13900000099'), kind,
                           timestamptz '2026-10-10 02:00+00' + month * interval '1 month', (SELECT id FROM users WHERE user_name = 'upgrader'), now()
                    FROM rows
                    RETURNING id, register_no)
                INSERT INTO complaints (sheet_no, contact_id, customer_id, channel, content, state, department_id, registered_by, registered_at,
                                        reply_due_at, handled_at, counted, root_cause_id, closed_at, close_reason, updated_at)
                SELECT 'UPG-' || r.g, c.id, (SELECT id FROM customers WHERE phone = '13900000099'), 'phone', r.kind, r.state,
                       (SELECT id FROM departments WHERE code = r.dept),
                       (SELECT id FROM users WHERE user_name = 'upgrader'),
                       timestamptz '2026-10-10 02:00+00' + r.month * interval '1 month', timestamptz '2026-10-12 02:00+00' + r.month * interval '1 month',
                       CASE WHEN r.state IN ('handled', 'closed') THEN timestamptz '2026-10-11 02:00+00' + r.month * interval '1 month' END,
                       r.counted, CASE WHEN r.classified THEN (SELECT min(id) FROM root_causes WHERE parent_id IS NOT NULL) END,
                       CASE WHEN r.state = 'closed' THEN timestamptz '2026-10-18 02:00+00' + r.month * interval '1 month' END,
                       CASE WHEN r.state = 'closed' THEN 'auto-one-week' END, now()
                FROM rows r JOIN contacts c ON c.register_no = 'UPG-' || r.g;
                UPDATE complaints SET merged_into_id = (SELECT min(id) FROM complaints WHERE content = 'dispatched') WHERE content = 'merged';
                """);
            var before = (await conn.QueryAsync<string>(
                "SELECT id || ' ' || state || ' ' || coalesce(closed_at::text, '-') || ' ' || coalesce(close_reason, '-') FROM complaints ORDER BY id")).AsList();
            var rollup = await conn.ExecuteScalarAsync<string>(RollupText.Sql);
            Assert.Equal(27, before.Count);
            Assert.Equal(10, await conn.ExecuteScalarAsync<int>("SELECT sum(closed)::int FROM kpi_complaint_rollup"));   // the closed, counted ones

            // The upgrade.
            Assert.Contains("0310_complaint_states.sql", Migrator.Run(cs));

            Assert.Equal(before, (await conn.QueryAsync<string>(
                "SELECT complaint_id || ' ' || state || ' ' || coalesce(closed_at::text, '-') || ' ' || coalesce(close_reason, '-') FROM complaint_states ORDER BY complaint_id")).AsList());
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("""
                SELECT count(*)::int FROM complaints c JOIN complaint_states s ON s.complaint_id = c.id
                WHERE (s.registered_at, s.department_id, s.project_id, s.root_cause_id, s.channel, s.counted, s.merged_into_id, s.current_due_at,
                       s.handled_at, s.needs_return_visit, s.return_visit_unreachable_at)
                      IS DISTINCT FROM
                      (c.registered_at, c.department_id, c.project_id, c.root_cause_id, c.channel, c.counted, c.merged_into_id, c.current_due_at,
                       c.handled_at, c.needs_return_visit, c.return_visit_unreachable_at)
                """));
            Assert.Equal(rollup, await conn.ExecuteScalarAsync<string>(RollupText.Sql));
            await using (var rebuild = await conn.BeginTransactionAsync())
            {
                await conn.ExecuteAsync("SELECT kpi_rebuild_complaints()", transaction: rebuild);
                Assert.Equal(rollup, await conn.ExecuteScalarAsync<string>(RollupText.Sql, transaction: rebuild));
                await rebuild.RollbackAsync();
            }
            // The queues: four dispatched in A (the merged two are out), five contacted in B.
            Assert.Equal(["UPA 4", "UPB 5"], (await conn.QueryAsync<string>("""
                SELECT d.code || ' ' || t.total FROM department_queue_totals t JOIN departments d ON d.id = t.department_id WHERE t.total <> 0 ORDER BY d.code
                """)).AsList());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }
}
