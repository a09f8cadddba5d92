-- The KPI rollup's triggers made cheap for the hot write paths (issue #14 point 1; sql/0200 and sql/0201 define the rollups).
--
-- A complaint's contribution to kpi_complaint_rollup has two parts:
--   own:   what its own row decides — counted / awaiting / not counted, replied and on time, contacted and on time, escalation
--          levels, closed — at its key (business month of registration × department × project × root cause × channel);
--          kpi_complaint_own, one definition;
--   group: what its group decides — complainants and times (the voices of the complaint and of those merged into it) and repeat
--          (itself or a merged one a repeat) — kept per unit in kpi_complaint_facts with the key it is counted at.
-- 1. The own part moves by difference, straight from the trigger's old and new rows (minus the old rows' own figures, plus the
--    new rows', summed by key; only units, i.e. complaints not merged into another): no fact is read, locked or written. The
--    escalation sweep, the closure sweep and a reclassification's counters cost one aggregate and the changed rollup keys.
-- 2. The group part is recomputed (kpi_refresh_complaints: its facts locked in id order, as before) only for the units whose
--    grouping changed (verification, merge or split, the complaint's contact, repeat-of, a further voice, a voice's customer)
--    or whose key changed (the group moves with it). A complaint registered not yet verified has no group part.
-- 3. No join of the old and new transition tables can run as a nested loop. PL/pgSQL caches a statement's plan with the row
--    estimate of its first call, so the join in 0200/0201 ran as a nested loop when a bulk update followed a one-row update in
--    the same session (20,000 rows: 131 s instead of 0.7 s). The complaints trigger joins them with nested loops off (a hash
--    join, one row or 50,000 alike); the other triggers pair them by grouping both by id. The own part's statement joins nothing
--    and keeps a generic plan; the group recompute plans each call for its array. JIT is off inside these functions (the
--    transition tables' row estimates made it compile for seconds).
-- 4. Keys whose difference is zero are not written; facts that do not change are not rewritten.
-- The rollup's figures are unchanged by this migration: the facts keep their key and group part, the own part of the units is
-- what the rollup already holds. kpi_rebuild_complaints() rebuilds both parts from the rows (README, "The dashboard's figures").

ALTER TABLE kpi_complaint_facts
    DROP COLUMN complaints, DROP COLUMN awaiting, DROP COLUMN not_counted, DROP COLUMN replied, DROP COLUMN reply_on_time,
    DROP COLUMN contacted, DROP COLUMN contact_on_time, DROP COLUMN escalated, DROP COLUMN level1, DROP COLUMN level2, DROP COLUMN closed;

-- The columns of a complaint its own figures read.
CREATE TYPE kpi_complaint_row AS (
    registered_at timestamptz, department_id integer, project_id integer, root_cause_id integer, channel text, counted boolean,
    first_replied_at timestamptz, first_reply_due_at timestamptz, contact_due_at timestamptz, contacted_at timestamptz,
    escalation_level integer, state text);

-- A unit's own figures: its key and the counters read from its own columns (the counted ones only when counted). Scalar
-- arguments, so the inlined expressions read columns, not fields of a composite (twice as fast over 100,000 rows).
CREATE FUNCTION kpi_complaint_own(registered timestamptz, department integer, project integer, cause integer, via text, is_counted boolean,
                                  first_reply timestamptz, first_reply_due timestamptz, contact_due timestamptz, first_contact timestamptz,
                                  level integer, at_state text)
RETURNS TABLE (month date, department_id integer, project_id integer, root_cause_id integer, channel text, complaints integer, awaiting integer,
               not_counted integer, replied integer, reply_on_time integer, contacted integer, contact_on_time integer, escalated integer,
               level1 integer, level2 integer, closed integer)
LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', registered AT TIME ZONE 'Asia/Shanghai')::date, department, project, cause, via,
           (is_counted IS TRUE)::int, (is_counted IS NULL)::int, (is_counted IS FALSE)::int,
           (is_counted IS TRUE AND first_reply IS NOT NULL)::int,
           (is_counted IS TRUE AND first_reply <= first_reply_due IS TRUE)::int,
           (is_counted IS TRUE AND contact_due IS NOT NULL AND first_contact IS NOT NULL)::int,
           (is_counted IS TRUE AND first_contact <= contact_due IS TRUE)::int,
           (is_counted IS TRUE AND level >= 1)::int,
           (is_counted IS TRUE AND level = 1)::int,
           (is_counted IS TRUE AND level >= 2)::int,
           (is_counted IS TRUE AND at_state = 'closed')::int
$$;

-- Moves the own part: minus the old units' own figures, plus the new units', by key, in key order, zero differences skipped.
-- Additive, so concurrent writers need no lock beyond the rollup row's (each writer holds its complaints' rows).
CREATE FUNCTION kpi_move_own(olds kpi_complaint_row[], news kpi_complaint_row[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET jit = off AS $$
BEGIN
    IF cardinality(olds) = 0 AND cardinality(news) = 0 THEN RETURN; END IF;
    INSERT INTO kpi_complaint_rollup AS r (month, department_id, project_id, root_cause_id, channel, complaints, awaiting, not_counted, replied,
                                           reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed)
    SELECT * FROM (
        SELECT k.month, k.department_id, k.project_id, k.root_cause_id, k.channel,
               sum(x.s * k.complaints) AS complaints, sum(x.s * k.awaiting) AS awaiting, sum(x.s * k.not_counted) AS not_counted,
               sum(x.s * k.replied) AS replied, sum(x.s * k.reply_on_time) AS reply_on_time, sum(x.s * k.contacted) AS contacted,
               sum(x.s * k.contact_on_time) AS contact_on_time, sum(x.s * k.escalated) AS escalated, sum(x.s * k.level1) AS level1,
               sum(x.s * k.level2) AS level2, sum(x.s * k.closed) AS closed
        FROM (SELECT -1 AS s, o.* FROM unnest(olds) o
              UNION ALL
              SELECT 1, n.* FROM unnest(news) n) x
        CROSS JOIN LATERAL kpi_complaint_own(x.registered_at, x.department_id, x.project_id, x.root_cause_id, x.channel, x.counted,
                                             x.first_replied_at, x.first_reply_due_at, x.contact_due_at, x.contacted_at, x.escalation_level, x.state) k
        GROUP BY k.month, k.department_id, k.project_id, k.root_cause_id, k.channel
    ) d
    WHERE (complaints, awaiting, not_counted, replied, reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed)
          <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    ORDER BY month, department_id, project_id, root_cause_id, channel
    ON CONFLICT (month, department_id, project_id, root_cause_id, channel) DO UPDATE SET
        complaints = r.complaints + excluded.complaints, awaiting = r.awaiting + excluded.awaiting,
        not_counted = r.not_counted + excluded.not_counted, replied = r.replied + excluded.replied,
        reply_on_time = r.reply_on_time + excluded.reply_on_time, contacted = r.contacted + excluded.contacted,
        contact_on_time = r.contact_on_time + excluded.contact_on_time, escalated = r.escalated + excluded.escalated,
        level1 = r.level1 + excluded.level1, level2 = r.level2 + excluded.level2, closed = r.closed + excluded.closed;
END $$;

-- Recomputes the group part of units (ids that are merged or gone lose their facts). The facts are created if missing and locked
-- in id order first, so concurrent writers of one group serialise, and read after the lock; the new group parts are computed in a
-- new statement (READ COMMITTED: a new snapshot), so what the writers that held the lock committed is seen; the difference moves
-- from the key the facts held to the unit's key now.
CREATE OR REPLACE FUNCTION kpi_refresh_complaints(ids bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan SET jit = off SET enable_nestloop = on AS $$
DECLARE
    olds kpi_complaint_facts[];
    news kpi_complaint_facts[];
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    INSERT INTO kpi_complaint_facts (complaint_id) SELECT DISTINCT i FROM unnest(ids) i WHERE i IS NOT NULL ORDER BY i ON CONFLICT DO NOTHING;
    olds := ARRAY(SELECT f FROM kpi_complaint_facts f WHERE f.complaint_id IN (SELECT unnest(ids)) ORDER BY f.complaint_id FOR UPDATE);

    news := ARRAY(
        WITH base AS MATERIALIZED (
            SELECT c.* FROM complaints c WHERE c.id IN (SELECT unnest(ids)) AND c.merged_into_id IS NULL
        ), voices AS (
            SELECT b.id AS survivor, b.contact_id FROM base b WHERE b.counted
            UNION
            SELECT m.merged_into_id, m.contact_id FROM complaints m
            WHERE m.merged_into_id IN (SELECT id FROM base WHERE counted)
            UNION
            SELECT coalesce(m.merged_into_id, m.id), cc.contact_id
            FROM complaint_contacts cc JOIN complaints m ON m.id = cc.complaint_id
            WHERE cc.complaint_id IN (SELECT id FROM base WHERE counted)
               OR cc.complaint_id IN (SELECT m2.id FROM complaints m2 WHERE m2.merged_into_id IN (SELECT id FROM base WHERE counted))
        ), g AS (
            SELECT v.survivor, count(*)::int AS times, count(DISTINCT vc.customer_id)::int AS complainants
            FROM voices v JOIN contacts vc ON vc.id = v.contact_id
            GROUP BY v.survivor
        )
        SELECT ROW(b.id, date_trunc('month', b.registered_at AT TIME ZONE 'Asia/Shanghai')::date, b.department_id, b.project_id,
                   b.root_cause_id, b.channel,
                   CASE WHEN b.counted THEN coalesce(g.complainants, 0) ELSE 0 END,
                   CASE WHEN b.counted THEN coalesce(g.times, 0) ELSE 0 END,
                   (b.counted IS TRUE AND (b.repeat_of_complaint_id IS NOT NULL
                       OR EXISTS (SELECT 1 FROM complaints r WHERE r.merged_into_id = b.id AND r.repeat_of_complaint_id IS NOT NULL)))::int
               )::kpi_complaint_facts
        FROM base b LEFT JOIN g ON g.survivor = b.id);

    INSERT INTO kpi_complaint_rollup AS r (month, department_id, project_id, root_cause_id, channel, complainants, times, repeat)
    SELECT * FROM (
        SELECT x.month, x.department_id, x.project_id, x.root_cause_id, x.channel,
               sum(x.s * x.complainants) AS complainants, sum(x.s * x.times) AS times, sum(x.s * x.repeat) AS repeat
        FROM (SELECT -1 AS s, o.* FROM unnest(olds) o WHERE o.month IS NOT NULL
              UNION ALL
              SELECT 1, n.* FROM unnest(news) n) x
        GROUP BY x.month, x.department_id, x.project_id, x.root_cause_id, x.channel
    ) d
    WHERE (complainants, times, repeat) <> (0, 0, 0)
    ORDER BY month, department_id, project_id, root_cause_id, channel
    ON CONFLICT (month, department_id, project_id, root_cause_id, channel) DO UPDATE SET
        complainants = r.complainants + excluded.complainants, times = r.times + excluded.times, repeat = r.repeat + excluded.repeat;

    UPDATE kpi_complaint_facts f SET (month, department_id, project_id, root_cause_id, channel, complainants, times, repeat)
        = (n.month, n.department_id, n.project_id, n.root_cause_id, n.channel, n.complainants, n.times, n.repeat)
    FROM unnest(news) n
    WHERE f.complaint_id = n.complaint_id AND f IS DISTINCT FROM n;
    -- Units no longer counting (merged into another, gone) keep no facts.
    DELETE FROM kpi_complaint_facts f
    WHERE f.complaint_id = ANY (ARRAY(SELECT o.complaint_id FROM unnest(olds) o EXCEPT SELECT n.complaint_id FROM unnest(news) n));
END $$;

-- Both parts rebuilt from the rows (after data was loaded with the triggers disabled), in the caller's transaction.
CREATE FUNCTION kpi_rebuild_complaints() RETURNS void LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    LOCK TABLE complaints IN SHARE MODE;
    TRUNCATE kpi_complaint_facts, kpi_complaint_rollup;
    PERFORM kpi_move_own('{}', ARRAY(
        SELECT ROW(c.registered_at, c.department_id, c.project_id, c.root_cause_id, c.channel, c.counted, c.first_replied_at, c.first_reply_due_at,
                   c.contact_due_at, c.contacted_at, c.escalation_level, c.state)::kpi_complaint_row
        FROM complaints c WHERE c.merged_into_id IS NULL));
    PERFORM kpi_refresh_complaints(ARRAY(SELECT c.id FROM complaints c WHERE c.merged_into_id IS NULL AND c.counted));
END $$;

-- Complaints. The own part moves by difference: minus every old unit row's own figures, plus every new one's (rows whose own
-- figures did not change cancel out). The group part is recomputed for the units a regrouping row belonged to before and after
-- (a merge moves a voice) and for units whose key changed; rows changing neither (a merged complaint's own columns, columns no
-- figure reads) cost their share of one hash join. Nested loops are off inside this function: the join of the old and new rows
-- is a hash join whatever row count its cached plan was made for (see 3. above); the group recompute turns them on again.
CREATE OR REPLACE FUNCTION kpi_complaints_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off SET enable_nestloop = off AS $$
DECLARE
    olds kpi_complaint_row[];
    news kpi_complaint_row[];
    units bigint[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        olds := ARRAY(SELECT ROW(o.registered_at, o.department_id, o.project_id, o.root_cause_id, o.channel, o.counted, o.first_replied_at,
                                 o.first_reply_due_at, o.contact_due_at, o.contacted_at, o.escalation_level, o.state)::kpi_complaint_row
                      FROM kpi_old o WHERE o.merged_into_id IS NULL);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        news := ARRAY(SELECT ROW(n.registered_at, n.department_id, n.project_id, n.root_cause_id, n.channel, n.counted, n.first_replied_at,
                                 n.first_reply_due_at, n.contact_due_at, n.contacted_at, n.escalation_level, n.state)::kpi_complaint_row
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
    -- Facts before rollup rows, as every writer takes them (a reclassification and a voice attached to the same complaint at once
    -- queue on its fact row instead of deadlocking on a rollup row).
    PERFORM kpi_refresh_complaints(units);
    PERFORM kpi_move_own(coalesce(olds, '{}'), coalesce(news, '{}'));
    RETURN NULL;
END $$;

-- Further voices attached to a complaint: its unit's complainants and times.
CREATE OR REPLACE FUNCTION kpi_complaint_contacts_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    attached bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        attached := ARRAY(SELECT n.complaint_id FROM kpi_new n);
    ELSIF TG_OP = 'DELETE' THEN
        attached := ARRAY(SELECT o.complaint_id FROM kpi_old o);
    ELSE
        attached := ARRAY(SELECT o.complaint_id FROM kpi_old o UNION SELECT n.complaint_id FROM kpi_new n);
    END IF;
    PERFORM kpi_refresh_complaints(ARRAY(SELECT DISTINCT coalesce(c.merged_into_id, c.id) FROM complaints c WHERE c.id = ANY (attached)));
    RETURN NULL;
END $$;

-- A contact's customer changed (a voice now belongs to another complainant): the units it is a voice of.
CREATE OR REPLACE FUNCTION kpi_contacts_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    moved bigint[];
BEGIN
    -- Most updates of contacts (satisfaction, handover, retention) change no customer: nothing to look up.
    moved := ARRAY(SELECT x.id FROM (SELECT o.id, o.customer_id FROM kpi_old o UNION ALL SELECT n.id, n.customer_id FROM kpi_new n) x
                   GROUP BY x.id HAVING count(DISTINCT ROW(x.customer_id)) > 1);
    IF cardinality(moved) = 0 THEN RETURN NULL; END IF;
    PERFORM kpi_refresh_complaints(ARRAY(
        SELECT coalesce(c.merged_into_id, c.id) FROM complaints c WHERE c.contact_id = ANY (moved)
        UNION
        SELECT coalesce(c.merged_into_id, c.id) FROM complaint_contacts cc JOIN complaints c ON c.id = cc.complaint_id WHERE cc.contact_id = ANY (moved)));
    RETURN NULL;
END $$;

-- Consultations: the same pairing of old and new rows by grouping, and each refresh planned for its array.
ALTER FUNCTION kpi_refresh_consultations(bigint[]) SET plan_cache_mode = force_custom_plan SET jit = off;

CREATE OR REPLACE FUNCTION kpi_consultation_contacts_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh_consultations(ARRAY(SELECT n.id FROM kpi_new n WHERE n.kind = 'consultation'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM kpi_refresh_consultations(ARRAY(SELECT o.id FROM kpi_old o WHERE o.kind = 'consultation'));
    ELSE
        PERFORM kpi_refresh_consultations(ARRAY(
            SELECT x.id
            FROM (SELECT o.id, o.kind, ROW(o.kind, o.received_at, o.first_responder_id, o.handover_to_id, o.satisfied) AS r FROM kpi_old o
                  UNION ALL
                  SELECT n.id, n.kind, ROW(n.kind, n.received_at, n.first_responder_id, n.handover_to_id, n.satisfied) FROM kpi_new n) x
            GROUP BY x.id
            HAVING bool_or(x.kind = 'consultation') AND (array_agg(x.r))[1] IS DISTINCT FROM (array_agg(x.r))[2]));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION kpi_consultation_tasks_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh_consultations(ARRAY(SELECT DISTINCT n.contact_id FROM kpi_new n WHERE n.kind = 'consultation'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM kpi_refresh_consultations(ARRAY(SELECT DISTINCT o.contact_id FROM kpi_old o WHERE o.kind = 'consultation'));
    ELSE
        -- The consultations of the changed callbacks, before and after.
        PERFORM kpi_refresh_consultations(ARRAY(
            SELECT DISTINCT unnest(t.contacts)
            FROM (SELECT array_agg(x.contact_id) FILTER (WHERE x.contact_id IS NOT NULL) AS contacts
                  FROM (SELECT o.id, o.kind, o.contact_id, ROW(o.kind, o.contact_id, o.state, o.outcome) AS r FROM kpi_old o
                        UNION ALL
                        SELECT n.id, n.kind, n.contact_id, ROW(n.kind, n.contact_id, n.state, n.outcome) FROM kpi_new n) x
                  GROUP BY x.id
                  HAVING bool_or(x.kind = 'consultation') AND (array_agg(x.r))[1] IS DISTINCT FROM (array_agg(x.r))[2]) t));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION kpi_consultation_users_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    moved integer[];
BEGIN
    -- Most updates of users (sign-in, roles, names) move no one: nothing to look up.
    moved := ARRAY(SELECT x.id FROM (SELECT o.id, o.department_id FROM kpi_old o UNION ALL SELECT n.id, n.department_id FROM kpi_new n) x
                   GROUP BY x.id HAVING count(DISTINCT ROW(x.department_id)) > 1);
    IF cardinality(moved) = 0 THEN RETURN NULL; END IF;
    PERFORM kpi_refresh_consultations(ARRAY(
        SELECT ct.id FROM contacts ct WHERE ct.first_responder_id = ANY (moved) AND ct.kind = 'consultation'
        UNION
        SELECT ct.id FROM contacts ct WHERE ct.handover_to_id = ANY (moved) AND ct.kind = 'consultation'));
    RETURN NULL;
END $$;

-- Consultation rollup rebuilt from the rows, in the caller's transaction.
CREATE FUNCTION kpi_rebuild_consultations() RETURNS void LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    LOCK TABLE contacts IN SHARE MODE;
    TRUNCATE kpi_consultation_facts, kpi_consultation_rollup;
    PERFORM kpi_refresh_consultations(ARRAY(SELECT id FROM contacts WHERE kind = 'consultation'));
END $$;
