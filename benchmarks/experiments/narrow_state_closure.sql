-- Implemented by sql/0310_complaint_states.sql (complaint_states, the layout of cs_exp2 below); kept as the record of the measurement.
-- Issue #14 point 4: the one-week auto-closure against a narrow state table, measured beside today's schema (docs/benchmarks.md,
-- "One-week auto-closure of 50,000: the narrow state table, measured"). Not a migration: it builds the narrow table as a copy next to
-- `complaints` on the benchmark's database and changes nothing the app reads.
--
-- 1. Seed and keep the database: point the benchmark at a PostgreSQL server of your own (then nothing drops its database at the end):
--      ConnectionStrings__ServiceHub="Host=127.0.0.1;Port=PORT;Username=postgres;Database=postgres" \
--        flock /tmp/bench.lock nice -n 19 ./servicehub.sh bench auto-closure 1000000 50000 1 time
--    (database sh_bench_autoclosure; the round leaves the 50,000 closed: the reopening below is the benchmark's own reset.)
-- 2. psql -d sh_bench_autoclosure -f benchmarks/experiments/narrow_state_closure.sql
-- 3. Time, alternating, each in BEGIN … ROLLBACK after a VACUUM of complaints, cs_exp, cs_exp2 and complaint_events: the statements at
--    the end of this file (today's ComplaintLifecycle.AutoCloseSql with the benchmark's parameters, and the same closure on cs_exp).

SET session_replication_role = replica;
DELETE FROM complaint_events WHERE kind = 'closed';
RESET session_replication_role;
UPDATE complaints SET state = 'handled', closed_at = NULL, close_reason = NULL WHERE close_reason = 'auto-one-week';

DROP TABLE IF EXISTS cs_exp;
CREATE TABLE cs_exp (
    complaint_id   bigint PRIMARY KEY,
    state          text NOT NULL,
    department_id  integer,
    current_due_at timestamptz,
    merged_into_id bigint,
    registered_at  timestamptz NOT NULL,
    handled_at     timestamptz,
    needs_return_visit boolean NOT NULL,
    return_visit_unreachable_at timestamptz,
    root_cause_id  integer,
    closed_at      timestamptz,
    close_reason   text
);
INSERT INTO cs_exp SELECT id, state, department_id, current_due_at, merged_into_id, registered_at, handled_at, needs_return_visit,
    return_visit_unreachable_at, root_cause_id, closed_at, close_reason FROM complaints ORDER BY id;
CREATE INDEX cs_exp_queue_idx ON cs_exp (department_id, current_due_at, complaint_id) WHERE state IN ('dispatched','contacted') AND merged_into_id IS NULL;
CREATE INDEX cs_exp_autoclose_idx ON cs_exp (handled_at)
    WHERE state = 'handled' AND (NOT needs_return_visit OR return_visit_unreachable_at IS NOT NULL) AND root_cause_id IS NOT NULL;
CREATE INDEX cs_exp_unclassified_idx ON cs_exp (handled_at) WHERE state = 'handled' AND root_cause_id IS NULL;
CREATE INDEX cs_exp_unclosed_state_idx ON cs_exp (state, registered_at DESC) WHERE state <> 'closed';

CREATE OR REPLACE FUNCTION cs_exp_kpi4() RETURNS trigger LANGUAGE plpgsql SET jit = off SET work_mem = '32MB' AS $$
BEGIN
    -- A state change moves one figure of the own part: "closed" (kpi_complaint_own reads the state for nothing else), at the
    -- unit's key, counted units only. The key comes from the wide row, read by its primary key.
    WITH ch AS MATERIALIZED (
        SELECT n.complaint_id, (n.state = 'closed')::int - (o.state = 'closed')::int AS d
        FROM kpi_old o JOIN kpi_new n ON n.complaint_id = o.complaint_id
        WHERE (o.state = 'closed') <> (n.state = 'closed')
    ), w AS MATERIALIZED (
        SELECT c.id, c.registered_at, c.department_id, c.project_id, c.root_cause_id, c.channel FROM complaints c
        WHERE c.id = ANY (ARRAY(SELECT complaint_id FROM ch)) AND c.merged_into_id IS NULL AND c.counted
    )
    INSERT INTO kpi_complaint_rollup AS r (month, department_id, project_id, root_cause_id, channel, closed)
    SELECT * FROM (
        SELECT date_trunc('month', w.registered_at AT TIME ZONE 'Asia/Shanghai')::date AS month, w.department_id, w.project_id, w.root_cause_id,
               w.channel, sum(ch.d)::int AS closed
        FROM ch JOIN w ON w.id = ch.complaint_id
        GROUP BY 1, 2, 3, 4, 5) x
    WHERE x.closed <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (month, department_id, project_id, root_cause_id, channel) DO UPDATE SET closed = r.closed + excluded.closed;
    RETURN NULL;
END $$;
CREATE TRIGGER cs_exp_kpi_update AFTER UPDATE ON cs_exp REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION cs_exp_kpi4();
VACUUM ANALYZE complaints; VACUUM ANALYZE complaint_events; VACUUM ANALYZE cs_exp;

-- cs_exp2: the same plus copies of the rest of the KPI rollup's key and filter; its trigger owns the "closed" figure whole.
DROP TABLE IF EXISTS cs_exp2;
CREATE TABLE cs_exp2 (
    complaint_id   bigint PRIMARY KEY,
    state          text NOT NULL,
    department_id  integer,
    current_due_at timestamptz,
    merged_into_id bigint,
    registered_at  timestamptz NOT NULL,
    handled_at     timestamptz,
    needs_return_visit boolean NOT NULL,
    return_visit_unreachable_at timestamptz,
    root_cause_id  integer,
    project_id     integer,
    channel        text NOT NULL,
    counted        boolean,
    closed_at      timestamptz,
    close_reason   text
);
INSERT INTO cs_exp2 SELECT id, state, department_id, current_due_at, merged_into_id, registered_at, handled_at, needs_return_visit,
    return_visit_unreachable_at, root_cause_id, project_id, channel, counted, closed_at, close_reason FROM complaints ORDER BY id;
CREATE INDEX cs_exp2_queue_idx ON cs_exp2 (department_id, current_due_at, complaint_id) WHERE state IN ('dispatched','contacted') AND merged_into_id IS NULL;
CREATE INDEX cs_exp2_autoclose_idx ON cs_exp2 (handled_at)
    WHERE state = 'handled' AND (NOT needs_return_visit OR return_visit_unreachable_at IS NOT NULL) AND root_cause_id IS NOT NULL;
CREATE INDEX cs_exp2_unclassified_idx ON cs_exp2 (handled_at) WHERE state = 'handled' AND root_cause_id IS NULL;
CREATE INDEX cs_exp2_unclosed_state_idx ON cs_exp2 (state, registered_at DESC) WHERE state <> 'closed';
-- The narrow table owns the rollup's "closed" figure whole: old rows out, new rows in, by key, from the transition tables alone.
CREATE OR REPLACE FUNCTION cs_exp2_kpi() RETURNS trigger LANGUAGE plpgsql SET jit = off SET work_mem = '32MB' AS $$
BEGIN
    INSERT INTO kpi_complaint_rollup AS r (month, department_id, project_id, root_cause_id, channel, closed)
    SELECT * FROM (
        SELECT date_trunc('month', x.registered_at AT TIME ZONE 'Asia/Shanghai')::date AS month, x.department_id, x.project_id,
               x.root_cause_id, x.channel, sum(x.s)::int AS closed
        FROM (SELECT -1 AS s, o.registered_at, o.department_id, o.project_id, o.root_cause_id, o.channel FROM kpi_old o
              WHERE o.state = 'closed' AND o.counted AND o.merged_into_id IS NULL
              UNION ALL
              SELECT 1, n.registered_at, n.department_id, n.project_id, n.root_cause_id, n.channel FROM kpi_new n
              WHERE n.state = 'closed' AND n.counted AND n.merged_into_id IS NULL) x
        GROUP BY 1, 2, 3, 4, 5) d
    WHERE d.closed <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (month, department_id, project_id, root_cause_id, channel) DO UPDATE SET closed = r.closed + excluded.closed;
    RETURN NULL;
END $$;
CREATE TRIGGER cs_exp2_kpi_update AFTER UPDATE ON cs_exp2 REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION cs_exp2_kpi();
VACUUM ANALYZE cs_exp2;


-- Today's closure (ComplaintLifecycle.AutoCloseSql; now 2026-11-26 02:00 UTC, cutoff a week before, batch 50,000):
/*
WITH eligible AS MATERIALIZED (
    SELECT c.ctid AS tid FROM complaints c
    WHERE c.state = 'handled' AND c.handled_at <= '2026-11-19 02:00+00' AND (NOT c.needs_return_visit OR c.return_visit_unreachable_at IS NOT NULL) AND c.root_cause_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM complaints r WHERE r.repeat_of_complaint_id = c.id AND (r.registered_at >= c.handled_at AND r.registered_at < c.handled_at + interval '604800 seconds'))
    ORDER BY c.handled_at
    LIMIT 50000
), closed AS (
    UPDATE complaints c SET state = 'closed', closed_at = '2026-11-26 02:00+00', close_reason = 'auto-one-week', current_due_at = NULL, updated_at = '2026-11-26 02:00+00'
    WHERE c.ctid = ANY (ARRAY(SELECT tid FROM eligible)) AND c.state = 'handled'
    RETURNING c.id
), events AS (
    INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details)
    SELECT id, '2026-11-26 02:00+00', 'system', 'closed', 'auto-one-week' FROM closed
)
SELECT count(*)::int FROM closed
*/

-- The same closure on the narrow table (the wide row untouched: no updated_at, no index entry of complaints):
/*
WITH eligible AS MATERIALIZED (
    SELECT c.ctid AS tid FROM cs_exp c
    WHERE c.state = 'handled' AND c.handled_at <= '2026-11-19 02:00+00' AND (NOT c.needs_return_visit OR c.return_visit_unreachable_at IS NOT NULL) AND c.root_cause_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM complaints r WHERE r.repeat_of_complaint_id = c.complaint_id AND (r.registered_at >= c.handled_at AND r.registered_at < c.handled_at + interval '604800 seconds'))
    ORDER BY c.handled_at
    LIMIT 50000
), closed AS (
    UPDATE cs_exp c SET state = 'closed', closed_at = '2026-11-26 02:00+00', close_reason = 'auto-one-week', current_due_at = NULL
    WHERE c.ctid = ANY (ARRAY(SELECT tid FROM eligible)) AND c.state = 'handled'
    RETURNING c.complaint_id AS id
), events AS (
    INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details)
    SELECT id, '2026-11-26 02:00+00', 'system', 'closed', 'auto-one-week' FROM closed
)
SELECT count(*)::int FROM closed
*/

-- On cs_exp2: the statement above with cs_exp2 in place of cs_exp (both places).
