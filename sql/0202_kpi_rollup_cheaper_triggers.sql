-- The KPI rollup's triggers made cheap for the hot write paths (issue #14 point 1; sql/0200, sql/0201 define the rollups).
--
-- 1. A complaint update that changes only what its own row decides (state, escalation level, reply and contact times and
--    deadlines, registration time, department, project, root cause, channel) — the escalation sweep, the closure sweep, a
--    reclassification — no longer recomputes its unit's voices: the unit's facts are adjusted from the new row in place
--    (complainants, times and repeat kept) and the difference moved into the rollup. Only a change of what groups voices
--    (verification, merge, the complaint's contact, repeat-of) recomputes the whole unit, as before. A merged complaint's own
--    columns count for nothing, so changing them does nothing.
-- 2. No statement joins the old and new transition tables any more: they are paired by grouping both by id. PL/pgSQL caches a
--    statement's plan with the row estimate of its first call, so a bulk update after a one-row update in the same session
--    joined old and new rows in a nested loop (20,000 rows took 33 s instead of milliseconds). Grouping has no such plan. The
--    fast path's statements keep generic cached plans that join nothing without an index (one row or 50,000 alike); the whole
--    recompute plans each call for its array's size. JIT is off inside these functions: the transition tables' row estimates
--    made it compile for seconds.
-- 3. Keys whose difference is zero are not written; facts that do not change are not rewritten.
-- The definitions stay one: a unit's own-row figures are kpi_complaint_own, used by the full recompute and the fast path alike.

-- What a counting unit's own row contributes: its key and the counters read from its columns alone (the counted ones only
-- when counted). The voices (complainants, times) and a member's repeat are the group's (kpi_refresh_complaints).
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

-- Moves the difference between units' old and new facts into the rollup (by key, in key order, zero differences skipped) and
-- stores the new facts (a unit in olds and not in news keeps its fact row: kpi_refresh_complaints deletes it). The callers hold the
-- units' fact rows locked (in id order) and read olds after the lock. Its plans are generic and cached (planning it on every
-- call cost more than running it for one row): no statement joins two sets without an index, so they suit one row and 50,000.
CREATE FUNCTION kpi_apply_complaint_facts(olds kpi_complaint_facts[], news kpi_complaint_facts[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET jit = off AS $$
BEGIN
    INSERT INTO kpi_complaint_rollup AS r (month, department_id, project_id, root_cause_id, channel, complaints, awaiting, not_counted, complainants, times, replied, reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed, repeat)
    SELECT * FROM (
        SELECT month, department_id, project_id, root_cause_id, channel,
               sum(s * complaints) AS complaints, sum(s * awaiting) AS awaiting, sum(s * not_counted) AS not_counted,
               sum(s * complainants) AS complainants, sum(s * times) AS times, sum(s * replied) AS replied,
               sum(s * reply_on_time) AS reply_on_time, sum(s * contacted) AS contacted, sum(s * contact_on_time) AS contact_on_time,
               sum(s * escalated) AS escalated, sum(s * level1) AS level1, sum(s * level2) AS level2, sum(s * closed) AS closed,
               sum(s * repeat) AS repeat
        FROM (SELECT -1 AS s, o.* FROM unnest(olds) o WHERE o.month IS NOT NULL
              UNION ALL
              SELECT 1, n.* FROM unnest(news) n) x
        GROUP BY month, department_id, project_id, root_cause_id, channel
    ) d
    WHERE (complaints, awaiting, not_counted, complainants, times, replied, reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed, repeat)
          <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    ORDER BY month, department_id, project_id, root_cause_id, channel
    ON CONFLICT (month, department_id, project_id, root_cause_id, channel) DO UPDATE SET
        complaints = r.complaints + excluded.complaints, awaiting = r.awaiting + excluded.awaiting,
        not_counted = r.not_counted + excluded.not_counted, complainants = r.complainants + excluded.complainants,
        times = r.times + excluded.times, replied = r.replied + excluded.replied, reply_on_time = r.reply_on_time + excluded.reply_on_time,
        contacted = r.contacted + excluded.contacted, contact_on_time = r.contact_on_time + excluded.contact_on_time,
        escalated = r.escalated + excluded.escalated, level1 = r.level1 + excluded.level1, level2 = r.level2 + excluded.level2,
        closed = r.closed + excluded.closed, repeat = r.repeat + excluded.repeat;

    UPDATE kpi_complaint_facts f SET (month, department_id, project_id, root_cause_id, channel, complaints, awaiting, not_counted, complainants, times, replied, reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed, repeat)
        = (n.month, n.department_id, n.project_id, n.root_cause_id, n.channel, n.complaints, n.awaiting, n.not_counted, n.complainants, n.times, n.replied, n.reply_on_time, n.contacted, n.contact_on_time, n.escalated, n.level1, n.level2, n.closed, n.repeat)
    FROM unnest(news) n
    WHERE f.complaint_id = n.complaint_id AND f IS DISTINCT FROM n;
END $$;

-- The fast path: units (not merged) whose own row changed and nothing that groups voices. Their facts are locked in id order and
-- adjusted from the rows: the key and the own-row counters anew, complainants, times and repeat kept. Units without facts yet
-- (rows written with the triggers disabled) are recomputed whole. Generic cached plans, as above.
CREATE FUNCTION kpi_adjust_complaints(ids bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET jit = off AS $$
DECLARE
    olds kpi_complaint_facts[];
    news kpi_complaint_facts[];
BEGIN
    IF cardinality(ids) = 0 THEN RETURN; END IF;
    olds := ARRAY(SELECT f FROM kpi_complaint_facts f WHERE f.complaint_id = ANY (ids) ORDER BY f.complaint_id FOR UPDATE);
    news := ARRAY(
        SELECT ROW(c.id, k.month, k.department_id, k.project_id, k.root_cause_id, k.channel, k.complaints, k.awaiting, k.not_counted,
                   o.complainants, o.times, k.replied, k.reply_on_time, k.contacted, k.contact_on_time, k.escalated, k.level1, k.level2,
                   k.closed, o.repeat)::kpi_complaint_facts
        FROM unnest(olds) o
        JOIN complaints c ON c.id = o.complaint_id
        CROSS JOIN LATERAL kpi_complaint_own(c.registered_at, c.department_id, c.project_id, c.root_cause_id, c.channel, c.counted,
                                             c.first_replied_at, c.first_reply_due_at, c.contact_due_at, c.contacted_at, c.escalation_level, c.state) k);
    PERFORM kpi_apply_complaint_facts(olds, news);
    IF cardinality(olds) < cardinality(ids) THEN
        PERFORM kpi_refresh_complaints(ARRAY(SELECT unnest(ids) EXCEPT SELECT o.complaint_id FROM unnest(olds) o));
    END IF;
END $$;

-- The whole recompute of units (survivors; ids that are merged or gone lose their facts): the facts are created if missing and
-- locked in id order first, so concurrent writers of one group serialise, and read after the lock; the new facts are computed in a
-- new statement (READ COMMITTED: a new snapshot), so what the writers that held the lock committed is seen.
CREATE OR REPLACE FUNCTION kpi_refresh_complaints(ids bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan SET jit = off AS $$
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
        SELECT ROW(b.id, k.month, k.department_id, k.project_id, k.root_cause_id, k.channel, k.complaints, k.awaiting, k.not_counted,
                   CASE WHEN b.counted THEN coalesce(g.complainants, 0) ELSE 0 END,
                   CASE WHEN b.counted THEN coalesce(g.times, 0) ELSE 0 END,
                   k.replied, k.reply_on_time, k.contacted, k.contact_on_time, k.escalated, k.level1, k.level2, k.closed,
                   (b.counted IS TRUE AND (b.repeat_of_complaint_id IS NOT NULL
                       OR EXISTS (SELECT 1 FROM complaints r WHERE r.merged_into_id = b.id AND r.repeat_of_complaint_id IS NOT NULL)))::int
               )::kpi_complaint_facts
        FROM base b
        CROSS JOIN LATERAL kpi_complaint_own(b.registered_at, b.department_id, b.project_id, b.root_cause_id, b.channel, b.counted,
                                             b.first_replied_at, b.first_reply_due_at, b.contact_due_at, b.contacted_at, b.escalation_level, b.state) k
        LEFT JOIN g ON g.survivor = b.id);

    PERFORM kpi_apply_complaint_facts(olds, news);
    -- Units no longer counting (merged into another, gone) keep no facts.
    DELETE FROM kpi_complaint_facts f
    WHERE f.complaint_id = ANY (ARRAY(SELECT o.complaint_id FROM unnest(olds) o EXCEPT SELECT n.complaint_id FROM unnest(news) n));
END $$;

-- Complaints. An update is sorted by what it changed: what groups voices (counted, merged_into_id, contact_id,
-- repeat_of_complaint_id) → every unit the row belonged to before and after is recomputed whole (a merge moves a voice); only the
-- row's own figures, on a unit (not merged) → the fast path; neither (a merged complaint's own columns, or columns no figure reads:
-- the queue's due time, the handler, texts) → nothing. A statement with any regrouping change recomputes all its units whole.
-- The old and new rows are paired by grouping them by id, never by a join (see 2. above); an id's two rows differ when the first
-- and the second of its group do (in either order).
CREATE OR REPLACE FUNCTION kpi_complaints_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    own bigint[];
    units bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        units := ARRAY(SELECT coalesce(n.merged_into_id, n.id) FROM kpi_new n UNION SELECT n.id FROM kpi_new n);
    ELSIF TG_OP = 'DELETE' THEN
        units := ARRAY(SELECT coalesce(o.merged_into_id, o.id) FROM kpi_old o UNION SELECT o.id FROM kpi_old o);
    ELSE
        WITH changed AS MATERIALIZED (
            SELECT x.id,
                   min(x.merged_into_id) FILTER (WHERE x.new = 0) AS was_merged_into,
                   min(x.merged_into_id) FILTER (WHERE x.new = 1) AS merged_into_id,
                   (array_agg(ROW(x.counted, x.merged_into_id, x.contact_id, x.repeat_of_complaint_id)))[1]
                       IS DISTINCT FROM (array_agg(ROW(x.counted, x.merged_into_id, x.contact_id, x.repeat_of_complaint_id)))[2] AS regrouped
            FROM (SELECT 0 AS new, o.id, o.counted, o.merged_into_id, o.contact_id, o.repeat_of_complaint_id,
                         ROW(o.registered_at, o.department_id, o.project_id, o.root_cause_id, o.channel, o.counted, o.merged_into_id, o.contact_id,
                             o.first_replied_at, o.first_reply_due_at, o.contact_due_at, o.contacted_at, o.escalation_level, o.state,
                             o.repeat_of_complaint_id) AS r
                  FROM kpi_old o
                  UNION ALL
                  SELECT 1, n.id, n.counted, n.merged_into_id, n.contact_id, n.repeat_of_complaint_id,
                         ROW(n.registered_at, n.department_id, n.project_id, n.root_cause_id, n.channel, n.counted, n.merged_into_id, n.contact_id,
                             n.first_replied_at, n.first_reply_due_at, n.contact_due_at, n.contacted_at, n.escalation_level, n.state,
                             n.repeat_of_complaint_id)
                  FROM kpi_new n) x
            GROUP BY x.id
            HAVING (array_agg(x.r))[1] IS DISTINCT FROM (array_agg(x.r))[2]
        )
        SELECT ARRAY(SELECT c.id FROM changed c WHERE NOT c.regrouped AND c.merged_into_id IS NULL),
               ARRAY(SELECT u.id FROM changed c, LATERAL (VALUES (c.id), (c.was_merged_into), (c.merged_into_id)) u(id)
                     WHERE c.regrouped AND u.id IS NOT NULL)
        INTO own, units;
        IF cardinality(units) = 0 THEN
            PERFORM kpi_adjust_complaints(own);
            RETURN NULL;
        END IF;
        units := units || own;
    END IF;
    PERFORM kpi_refresh_complaints(units);
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
            FROM (SELECT o.id, o.kind, o.received_at, o.first_responder_id, o.handover_to_id, o.satisfied FROM kpi_old o
                  UNION ALL
                  SELECT n.id, n.kind, n.received_at, n.first_responder_id, n.handover_to_id, n.satisfied FROM kpi_new n) x
            GROUP BY x.id
            HAVING bool_or(x.kind = 'consultation')
               AND count(DISTINCT (x.kind, x.received_at, x.first_responder_id, x.handover_to_id, x.satisfied)) > 1));
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
            SELECT DISTINCT unnest(x.contacts)
            FROM (SELECT x.id, array_agg(x.contact_id) FILTER (WHERE x.contact_id IS NOT NULL) AS contacts
                  FROM (SELECT o.id, o.kind, o.contact_id, o.state, o.outcome FROM kpi_old o
                        UNION ALL
                        SELECT n.id, n.kind, n.contact_id, n.state, n.outcome FROM kpi_new n) x
                  GROUP BY x.id
                  HAVING bool_or(x.kind = 'consultation') AND count(DISTINCT (x.kind, x.contact_id, x.state, x.outcome)) > 1) x));
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
