-- Issue #14 point 4: a complaint's state lives in a narrow row of its own, so a state change (the one-week auto-closure of 50,000
-- above all) writes a ~150-byte row and its primary-key entry instead of a new version of the wide complaint row and an entry in each
-- of its full indexes (docs/benchmarks.md, "the narrow state table, measured": 0.44–0.53 of the wide closure's time).
--
-- complaint_states (one row per complaint, created with it) owns state, closed_at and close_reason; ComplaintLifecycle is their one
-- writer. It also carries copies of the complaint's columns that its indexes and the KPI rollup's "closed" figure need: the queue's
-- (department, next due time, merge), the closures' (handled_at, return-visit need and unreachable time, root cause), the list by state
-- (registered_at) and the rest of the rollup's key and filter (project, channel, counted). The copies are written only by the triggers
-- below, from complaints, so every writer of those columns (dispatch, merge, classification, the escalation sweep, test set-ups) keeps
-- both rows consistent within its statement. Readers join complaint_states explicitly (ComplaintSql.JoinState).
--
-- The KPI rollup: the wide table's trigger computes every figure but "closed" (it passes no state: its "closed" is always 0); the
-- narrow table's trigger owns "closed" whole, from its own transition tables (old closed units out, new closed units in, by key),
-- reading no other table. kpi_rebuild_complaints reads "closed" from the narrow rows.

CREATE TABLE complaint_states (
    complaint_id   bigint PRIMARY KEY REFERENCES complaints (id) ON DELETE CASCADE,
    state          text NOT NULL DEFAULT 'registered' CHECK (state IN ('registered','dispatched','contacted','handled','closed')),
    closed_at      timestamptz,
    close_reason   text CONSTRAINT complaint_states_close_reason_length CHECK (char_length(close_reason) <= 500),
    -- Copies of complaints' columns, written by complaint_states_copy only.
    registered_at  timestamptz NOT NULL,
    department_id  integer,
    project_id     integer,
    root_cause_id  integer,
    channel        text NOT NULL,
    counted        boolean,
    merged_into_id bigint,
    current_due_at timestamptz,
    handled_at     timestamptz,
    needs_return_visit boolean NOT NULL,
    return_visit_unreachable_at timestamptz,
    CONSTRAINT complaint_states_closed_has_root_cause CHECK (state <> 'closed' OR root_cause_id IS NOT NULL)
);

INSERT INTO complaint_states (complaint_id, state, closed_at, close_reason, registered_at, department_id, project_id, root_cause_id, channel,
                              counted, merged_into_id, current_due_at, handled_at, needs_return_visit, return_visit_unreachable_at)
SELECT id, state, closed_at, close_reason, registered_at, department_id, project_id, root_cause_id, channel,
       counted, merged_into_id, current_due_at, handled_at, needs_return_visit, return_visit_unreachable_at
FROM complaints ORDER BY id;

-- The four indexes of complaints that held the state, word for word on the narrow rows.
CREATE INDEX complaint_states_department_queue_idx ON complaint_states (department_id, current_due_at, complaint_id)
    WHERE state IN ('dispatched','contacted') AND merged_into_id IS NULL;
CREATE INDEX complaint_states_autoclose_idx ON complaint_states (handled_at)
    WHERE state = 'handled' AND (NOT needs_return_visit OR return_visit_unreachable_at IS NOT NULL) AND root_cause_id IS NOT NULL;
CREATE INDEX complaint_states_unclassified_idx ON complaint_states (handled_at) WHERE state = 'handled' AND root_cause_id IS NULL;
CREATE INDEX complaint_states_unclosed_state_idx ON complaint_states (state, registered_at DESC) WHERE state <> 'closed';
-- The queue's total is an index-only scan (sql/0240): vacuum the narrow rows as eagerly as complaints were.
ALTER TABLE complaint_states SET (autovacuum_vacuum_scale_factor = 0.002, autovacuum_vacuum_threshold = 1000,
                                  autovacuum_vacuum_insert_scale_factor = 0.002, autovacuum_vacuum_insert_threshold = 1000);

DROP INDEX complaints_department_queue_idx, complaints_autoclose_idx, complaints_unclassified_idx, complaints_unclosed_state_idx;
ALTER TABLE complaints DROP CONSTRAINT complaints_closed_has_root_cause;
ALTER TABLE complaints DROP COLUMN state, DROP COLUMN closed_at, DROP COLUMN close_reason;

-- A new complaint's state row, in the statement that registers it (state 'registered').
CREATE FUNCTION complaint_states_create() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    INSERT INTO complaint_states (complaint_id, registered_at, department_id, project_id, root_cause_id, channel, counted, merged_into_id,
                                  current_due_at, handled_at, needs_return_visit, return_visit_unreachable_at)
    SELECT n.id, n.registered_at, n.department_id, n.project_id, n.root_cause_id, n.channel, n.counted, n.merged_into_id,
           n.current_due_at, n.handled_at, n.needs_return_visit, n.return_visit_unreachable_at
    FROM created n ORDER BY n.id;
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_states_create AFTER INSERT ON complaints
    REFERENCING NEW TABLE AS created FOR EACH STATEMENT EXECUTE FUNCTION complaint_states_create();

-- The copies follow the complaint, in the statement that changed it: only rows whose copied columns differ are written. Each changed
-- row is found by its primary key (nested loops only: the transition table has no statistics, and a hash of all state rows for a
-- one-row update was what the experiment's first versions paid).
CREATE FUNCTION complaint_states_copy() RETURNS trigger LANGUAGE plpgsql
    SET jit = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    UPDATE complaint_states s
    SET registered_at = n.registered_at, department_id = n.department_id, project_id = n.project_id, root_cause_id = n.root_cause_id,
        channel = n.channel, counted = n.counted, merged_into_id = n.merged_into_id, current_due_at = n.current_due_at,
        handled_at = n.handled_at, needs_return_visit = n.needs_return_visit, return_visit_unreachable_at = n.return_visit_unreachable_at
    FROM changed n
    WHERE s.complaint_id = n.id
      AND (s.registered_at, s.department_id, s.project_id, s.root_cause_id, s.channel, s.counted, s.merged_into_id, s.current_due_at,
           s.handled_at, s.needs_return_visit, s.return_visit_unreachable_at)
          IS DISTINCT FROM
          (n.registered_at, n.department_id, n.project_id, n.root_cause_id, n.channel, n.counted, n.merged_into_id, n.current_due_at,
           n.handled_at, n.needs_return_visit, n.return_visit_unreachable_at);
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_states_copy AFTER UPDATE ON complaints
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION complaint_states_copy();

-- The rollup's "closed": a counted unit (not merged) in state closed, at its key. Old closed units out, new ones in, from the
-- transition tables alone; keys whose difference is zero are not written; in key order, like every writer of the rollup.
CREATE FUNCTION kpi_complaint_states_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO kpi_complaint_rollup AS r (month, department_id, project_id, root_cause_id, channel, closed)
        SELECT date_trunc('month', n.registered_at AT TIME ZONE 'Asia/Shanghai')::date AS month, n.department_id, n.project_id,
               n.root_cause_id, n.channel, count(*)::int
        FROM kpi_new n WHERE n.state = 'closed' AND n.counted AND n.merged_into_id IS NULL
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (month, department_id, project_id, root_cause_id, channel) DO UPDATE SET closed = r.closed + excluded.closed;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO kpi_complaint_rollup AS r (month, department_id, project_id, root_cause_id, channel, closed)
        SELECT date_trunc('month', o.registered_at AT TIME ZONE 'Asia/Shanghai')::date AS month, o.department_id, o.project_id,
               o.root_cause_id, o.channel, -count(*)::int
        FROM kpi_old o WHERE o.state = 'closed' AND o.counted AND o.merged_into_id IS NULL
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (month, department_id, project_id, root_cause_id, channel) DO UPDATE SET closed = r.closed + excluded.closed;
    ELSE
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
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_states_kpi_insert AFTER INSERT ON complaint_states REFERENCING NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaint_states_changed();
CREATE TRIGGER complaint_states_kpi_update AFTER UPDATE ON complaint_states REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaint_states_changed();
CREATE TRIGGER complaint_states_kpi_delete AFTER DELETE ON complaint_states REFERENCING OLD TABLE AS kpi_old
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaint_states_changed();

-- The wide table's trigger: every figure but "closed" (the state is not on its rows: it passes the empty state, never 'closed', so
-- its "closed" is 0 in and out; NULL would make the figure NULL).
CREATE OR REPLACE FUNCTION kpi_complaints_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off SET enable_nestloop = off AS $$
DECLARE
    olds kpi_complaint_row[];
    news kpi_complaint_row[];
    units bigint[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        olds := ARRAY(SELECT ROW(o.registered_at, o.department_id, o.project_id, o.root_cause_id, o.channel, o.counted, o.first_replied_at,
                                 o.first_reply_due_at, o.contact_due_at, o.contacted_at, o.escalation_level, '')::kpi_complaint_row
                      FROM kpi_old o WHERE o.merged_into_id IS NULL);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        news := ARRAY(SELECT ROW(n.registered_at, n.department_id, n.project_id, n.root_cause_id, n.channel, n.counted, n.first_replied_at,
                                 n.first_reply_due_at, n.contact_due_at, n.contacted_at, n.escalation_level, '')::kpi_complaint_row
                      FROM kpi_new n WHERE n.merged_into_id IS NULL);
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A new complaint has a group part once counted, or adds a voice to the one it is merged into.
        units := ARRAY(SELECT n.id FROM kpi_new n WHERE n.merged_into_id IS NULL AND n.counted
                       UNION SELECT n.merged_into_id FROM kpi_new n WHERE n.merged_into_id IS NOT NULL);
    ELSIF TG_OP = 'DELETE' THEN
        units := ARRAY(SELECT coalesce(o.merged_into_id, o.id) FROM kpi_old o UNION SELECT o.id FROM kpi_old o);
    ELSE
        units := ARRAY(
            WITH moved AS MATERIALIZED (
                SELECT n.id, o.merged_into_id AS was_merged_into, n.merged_into_id,
                       (o.counted, o.merged_into_id, o.contact_id, o.repeat_of_complaint_id)
                           IS DISTINCT FROM (n.counted, n.merged_into_id, n.contact_id, n.repeat_of_complaint_id) AS regrouped
                FROM kpi_old o JOIN kpi_new n ON n.id = o.id
                WHERE (o.counted, o.merged_into_id, o.contact_id, o.repeat_of_complaint_id,
                       o.registered_at, o.department_id, o.project_id, o.root_cause_id, o.channel)
                      IS DISTINCT FROM
                      (n.counted, n.merged_into_id, n.contact_id, n.repeat_of_complaint_id,
                       n.registered_at, n.department_id, n.project_id, n.root_cause_id, n.channel)
            )
            SELECT m.id FROM moved m WHERE m.regrouped OR m.merged_into_id IS NULL
            UNION SELECT m.was_merged_into FROM moved m WHERE m.regrouped AND m.was_merged_into IS NOT NULL
            UNION SELECT m.merged_into_id FROM moved m WHERE m.regrouped AND m.merged_into_id IS NOT NULL);
    END IF;
    -- Facts before rollup rows, as every writer takes them.
    PERFORM kpi_refresh_complaints(units);
    PERFORM kpi_move_own(coalesce(olds, '{}'), coalesce(news, '{}'));
    RETURN NULL;
END $$;

-- Both parts rebuilt from the rows, "closed" from the state rows.
CREATE OR REPLACE FUNCTION kpi_rebuild_complaints() RETURNS void LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    LOCK TABLE complaints, complaint_states IN SHARE MODE;
    TRUNCATE kpi_complaint_facts, kpi_complaint_rollup;
    PERFORM kpi_move_own('{}', ARRAY(
        SELECT ROW(c.registered_at, c.department_id, c.project_id, c.root_cause_id, c.channel, c.counted, c.first_replied_at, c.first_reply_due_at,
                   c.contact_due_at, c.contacted_at, c.escalation_level, coalesce(s.state, ''))::kpi_complaint_row
        FROM complaints c LEFT JOIN complaint_states s ON s.complaint_id = c.id WHERE c.merged_into_id IS NULL));
    PERFORM kpi_refresh_complaints(ARRAY(SELECT c.id FROM complaints c WHERE c.merged_into_id IS NULL AND c.counted));
END $$;

-- Complaint webhooks: the state and close reason from the state row.
CREATE OR REPLACE FUNCTION webhooks_from_complaint_events() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE is_active) THEN
        RETURN NULL;
    END IF;
    INSERT INTO outbox_messages (created_at, channel, event_kind, subject_type, subject_id, endpoint_id, message_key, args, link, payload,
                                 idempotency_key, next_attempt_at)
    SELECT e.at, 'webhook', 'webhook:' || k.kind, 'complaint', e.complaint_id, w.id, 'Outbox.Webhook', ARRAY[k.kind, w.name],
           coalesce(d.data ->> 'link', ''),
           jsonb_build_object('id', 'wh:' || w.id || ':ce:' || e.id, 'event', k.kind,
                              'occurredAt', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'data', d.data),
           'wh:' || w.id || ':ce:' || e.id, e.at
    FROM written e
    CROSS JOIN LATERAL (SELECT CASE e.kind WHEN 'registered' THEN 'complaint.registered' WHEN 'closed' THEN 'complaint.closed'
                                           WHEN 'deadline-level1' THEN 'complaint.escalated' WHEN 'deadline-level2' THEN 'complaint.escalated' END AS kind) k
    JOIN webhook_subscriptions w ON w.is_active AND k.kind = ANY (w.event_kinds)
    LEFT JOIN complaints c ON c.id = e.complaint_id
    LEFT JOIN complaint_states s ON s.complaint_id = c.id
    CROSS JOIN LATERAL (SELECT CASE WHEN c.id IS NOT NULL THEN
        jsonb_build_object('complaintId', c.id, 'sheetNo', c.sheet_no, 'state', s.state, 'channel', c.channel,
                           'projectId', c.project_id, 'departmentId', c.department_id, 'urgencyMinutes', c.urgency_minutes,
                           'escalationLevel', CASE e.kind WHEN 'deadline-level1' THEN 1 WHEN 'deadline-level2' THEN 2 ELSE c.escalation_level END,
                           'deadline', NULLIF(e.details, ''), 'closeReason', s.close_reason,
                           'link', '/complaints/' || c.id) END AS data) d
    ORDER BY e.id, w.id
    ON CONFLICT (idempotency_key) DO NOTHING;
    RETURN NULL;
END $$;

ANALYZE complaint_states;
