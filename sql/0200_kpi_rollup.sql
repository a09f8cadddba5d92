-- KPI dashboard by design (issue #14 point 1): the monthly complaint figures kept in a rollup, maintained by triggers in the
-- same transaction as every write that changes them, so the rollup cannot be stale (docs/rules.md §6, ARCHITECTURE.md).
--
-- kpi_complaint_facts: what each counting unit (a complaint that is not merged into another; a merged group counts through its
--   survivor) contributes now: its key (business month of registration × department × project × root cause × channel) and its
--   counters, 0/1 each except complainants and times (the voices of its group, as ComplaintStatistics counts them).
-- kpi_complaint_rollup: the sum of the facts by key. Reads never touch complaints for these figures.
-- What depends on the clock alone (a deadline passing with no event: a reply or first contact that is now measured and late)
-- is not in the rollup: the dashboard counts those few pending complaints live (index complaints_kpi_pending_idx).

CREATE TABLE kpi_complaint_facts (
    complaint_id     bigint PRIMARY KEY,
    month            date,
    department_id    integer,
    project_id       integer,
    root_cause_id    integer,
    channel          text,
    complaints       integer NOT NULL DEFAULT 0,   -- counted (verified and counted)
    awaiting         integer NOT NULL DEFAULT 0,   -- not yet verified
    not_counted      integer NOT NULL DEFAULT 0,   -- verified and not counted
    complainants     integer NOT NULL DEFAULT 0,
    times            integer NOT NULL DEFAULT 0,
    replied          integer NOT NULL DEFAULT 0,   -- first reply given (measured whatever the clock)
    reply_on_time    integer NOT NULL DEFAULT 0,
    contacted        integer NOT NULL DEFAULT 0,   -- dispatched and first contact made
    contact_on_time  integer NOT NULL DEFAULT 0,
    escalated        integer NOT NULL DEFAULT 0,
    level1           integer NOT NULL DEFAULT 0,
    level2           integer NOT NULL DEFAULT 0,
    closed           integer NOT NULL DEFAULT 0,
    repeat           integer NOT NULL DEFAULT 0
);

CREATE TABLE kpi_complaint_rollup (
    month            date NOT NULL,
    department_id    integer,
    project_id       integer,
    root_cause_id    integer,
    channel          text NOT NULL,
    complaints       integer NOT NULL DEFAULT 0,
    awaiting         integer NOT NULL DEFAULT 0,
    not_counted      integer NOT NULL DEFAULT 0,
    complainants     integer NOT NULL DEFAULT 0,
    times            integer NOT NULL DEFAULT 0,
    replied          integer NOT NULL DEFAULT 0,
    reply_on_time    integer NOT NULL DEFAULT 0,
    contacted        integer NOT NULL DEFAULT 0,
    contact_on_time  integer NOT NULL DEFAULT 0,
    escalated        integer NOT NULL DEFAULT 0,
    level1           integer NOT NULL DEFAULT 0,
    level2           integer NOT NULL DEFAULT 0,
    closed           integer NOT NULL DEFAULT 0,
    repeat           integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX kpi_complaint_rollup_key ON kpi_complaint_rollup (month, department_id, project_id, root_cause_id, channel) NULLS NOT DISTINCT;
CREATE INDEX kpi_complaint_rollup_department_idx ON kpi_complaint_rollup (department_id, month);

-- The counted complaints still waiting for a reply or a first contact: the live part of the figures (KpiRollup.PendingSql).
CREATE INDEX complaints_kpi_pending_idx ON complaints (registered_at)
    WHERE counted AND merged_into_id IS NULL AND (first_replied_at IS NULL OR (contacted_at IS NULL AND contact_due_at IS NOT NULL));

-- Recompute the facts of the counting units ids (survivors; ids that are merged or gone lose their facts) and move the
-- difference into the rollup. Fact rows are created if missing and locked in id order first, so concurrent writers of one group
-- serialise and the later one recomputes from what the earlier committed; rollup rows are changed in key order.
CREATE FUNCTION kpi_refresh_complaints(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    INSERT INTO kpi_complaint_facts (complaint_id) SELECT DISTINCT i FROM unnest(ids) i WHERE i IS NOT NULL ORDER BY i ON CONFLICT DO NOTHING;
    PERFORM 1 FROM kpi_complaint_facts f WHERE f.complaint_id IN (SELECT unnest(ids)) ORDER BY f.complaint_id FOR UPDATE;

    -- A new statement, so a new snapshot (READ COMMITTED): what the writers that held these facts committed is seen.
    WITH old AS (
        SELECT f.* FROM kpi_complaint_facts f WHERE f.complaint_id IN (SELECT unnest(ids))
    ), base AS MATERIALIZED (
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
    ), new AS (
        SELECT b.id AS complaint_id,
               date_trunc('month', b.registered_at AT TIME ZONE 'Asia/Shanghai')::date AS month,
               b.department_id, b.project_id, b.root_cause_id, b.channel,
               (b.counted IS TRUE)::int AS complaints, (b.counted IS NULL)::int AS awaiting, (b.counted IS FALSE)::int AS not_counted,
               CASE WHEN b.counted THEN coalesce(g.complainants, 0) ELSE 0 END AS complainants,
               CASE WHEN b.counted THEN coalesce(g.times, 0) ELSE 0 END AS times,
               (b.counted IS TRUE AND b.first_replied_at IS NOT NULL)::int AS replied,
               (b.counted IS TRUE AND b.first_replied_at <= b.first_reply_due_at IS TRUE)::int AS reply_on_time,
               (b.counted IS TRUE AND b.contact_due_at IS NOT NULL AND b.contacted_at IS NOT NULL)::int AS contacted,
               (b.counted IS TRUE AND b.contacted_at <= b.contact_due_at IS TRUE)::int AS contact_on_time,
               (b.counted IS TRUE AND b.escalation_level >= 1)::int AS escalated,
               (b.counted IS TRUE AND b.escalation_level = 1)::int AS level1,
               (b.counted IS TRUE AND b.escalation_level >= 2)::int AS level2,
               (b.counted IS TRUE AND b.state = 'closed')::int AS closed,
               (b.counted IS TRUE AND (b.repeat_of_complaint_id IS NOT NULL
                   OR EXISTS (SELECT 1 FROM complaints r WHERE r.merged_into_id = b.id AND r.repeat_of_complaint_id IS NOT NULL)))::int AS repeat
        FROM base b LEFT JOIN g ON g.survivor = b.id
    ), rollup AS (
        -- The difference, by key, in key order: minus what the old facts contributed, plus the new.
        INSERT INTO kpi_complaint_rollup AS r (month, department_id, project_id, root_cause_id, channel, complaints, awaiting, not_counted, complainants, times, replied, reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed, repeat)
        SELECT month, department_id, project_id, root_cause_id, channel,
               sum(s * complaints), sum(s * awaiting), sum(s * not_counted), sum(s * complainants), sum(s * times), sum(s * replied),
               sum(s * reply_on_time), sum(s * contacted), sum(s * contact_on_time), sum(s * escalated), sum(s * level1), sum(s * level2),
               sum(s * closed), sum(s * repeat)
        FROM (SELECT -1 AS s, o.* FROM old o WHERE o.month IS NOT NULL
              UNION ALL
              SELECT 1, n.* FROM new n) d
        GROUP BY month, department_id, project_id, root_cause_id, channel
        ORDER BY month, department_id, project_id, root_cause_id, channel
        ON CONFLICT (month, department_id, project_id, root_cause_id, channel) DO UPDATE SET
            complaints = r.complaints + excluded.complaints, awaiting = r.awaiting + excluded.awaiting,
            not_counted = r.not_counted + excluded.not_counted, complainants = r.complainants + excluded.complainants,
            times = r.times + excluded.times, replied = r.replied + excluded.replied, reply_on_time = r.reply_on_time + excluded.reply_on_time,
            contacted = r.contacted + excluded.contacted, contact_on_time = r.contact_on_time + excluded.contact_on_time,
            escalated = r.escalated + excluded.escalated, level1 = r.level1 + excluded.level1, level2 = r.level2 + excluded.level2,
            closed = r.closed + excluded.closed, repeat = r.repeat + excluded.repeat
    ), gone AS (
        -- Units no longer counting (merged into another, gone) keep no facts.
        DELETE FROM kpi_complaint_facts f WHERE f.complaint_id IN (SELECT unnest(ids)) AND NOT EXISTS (SELECT 1 FROM new n WHERE n.complaint_id = f.complaint_id)
    )
    UPDATE kpi_complaint_facts f SET (month, department_id, project_id, root_cause_id, channel, complaints, awaiting, not_counted, complainants, times, replied, reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed, repeat) = (n.month, n.department_id, n.project_id, n.root_cause_id, n.channel, n.complaints, n.awaiting, n.not_counted, n.complainants, n.times, n.replied, n.reply_on_time, n.contacted, n.contact_on_time, n.escalated, n.level1, n.level2, n.closed, n.repeat)
    FROM new n WHERE f.complaint_id = n.complaint_id;
END $$;

-- Complaints: every unit a changed row belonged to, before and after (a merge moves a voice from one unit to another).
-- Updates that change nothing the facts read are skipped, so the escalation clock's and queue's bookkeeping costs nothing here.
CREATE FUNCTION kpi_complaints_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh_complaints(ARRAY(SELECT DISTINCT coalesce(n.merged_into_id, n.id) FROM kpi_new n
                                             UNION SELECT n.id FROM kpi_new n));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM kpi_refresh_complaints(ARRAY(SELECT coalesce(o.merged_into_id, o.id) FROM kpi_old o UNION SELECT o.id FROM kpi_old o));
    ELSE
        PERFORM kpi_refresh_complaints(ARRAY(
            SELECT u.id FROM kpi_old o JOIN kpi_new n ON n.id = o.id,
                   LATERAL (VALUES (o.id), (o.merged_into_id), (n.merged_into_id)) u(id)
            WHERE u.id IS NOT NULL
              AND (o.registered_at, o.department_id, o.project_id, o.root_cause_id, o.channel, o.counted, o.merged_into_id, o.contact_id,
                   o.first_replied_at, o.first_reply_due_at, o.contact_due_at, o.contacted_at, o.escalation_level, o.state,
                   o.repeat_of_complaint_id)
                  IS DISTINCT FROM
                  (n.registered_at, n.department_id, n.project_id, n.root_cause_id, n.channel, n.counted, n.merged_into_id, n.contact_id,
                   n.first_replied_at, n.first_reply_due_at, n.contact_due_at, n.contacted_at, n.escalation_level, n.state,
                   n.repeat_of_complaint_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER complaints_kpi_insert AFTER INSERT ON complaints REFERENCING NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaints_changed();
CREATE TRIGGER complaints_kpi_update AFTER UPDATE ON complaints REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaints_changed();
CREATE TRIGGER complaints_kpi_delete AFTER DELETE ON complaints REFERENCING OLD TABLE AS kpi_old
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaints_changed();

-- Further voices attached to a complaint: its unit's complainants and times.
CREATE FUNCTION kpi_complaint_contacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh_complaints(ARRAY(SELECT DISTINCT coalesce(c.merged_into_id, c.id) FROM kpi_new n JOIN complaints c ON c.id = n.complaint_id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM kpi_refresh_complaints(ARRAY(SELECT DISTINCT coalesce(c.merged_into_id, c.id) FROM kpi_old o JOIN complaints c ON c.id = o.complaint_id));
    ELSE
        PERFORM kpi_refresh_complaints(ARRAY(SELECT DISTINCT coalesce(c.merged_into_id, c.id)
                                             FROM (SELECT complaint_id FROM kpi_old UNION SELECT complaint_id FROM kpi_new) x
                                             JOIN complaints c ON c.id = x.complaint_id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_contacts_kpi_insert AFTER INSERT ON complaint_contacts REFERENCING NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaint_contacts_changed();
CREATE TRIGGER complaint_contacts_kpi_update AFTER UPDATE ON complaint_contacts REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaint_contacts_changed();
CREATE TRIGGER complaint_contacts_kpi_delete AFTER DELETE ON complaint_contacts REFERENCING OLD TABLE AS kpi_old
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_complaint_contacts_changed();

-- A contact's customer changed (a voice now belongs to another complainant): the units it is a voice of.
CREATE FUNCTION kpi_contacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Most updates of contacts (satisfaction, handover, retention) change no customer: nothing to look up.
    IF NOT EXISTS (SELECT 1 FROM kpi_old o JOIN kpi_new n ON n.id = o.id AND n.customer_id IS DISTINCT FROM o.customer_id) THEN RETURN NULL; END IF;
    PERFORM kpi_refresh_complaints(ARRAY(
        SELECT coalesce(c.merged_into_id, c.id)
        FROM kpi_old o JOIN kpi_new n ON n.id = o.id AND n.customer_id IS DISTINCT FROM o.customer_id
        JOIN complaints c ON c.contact_id = n.id
        UNION
        SELECT coalesce(c.merged_into_id, c.id)
        FROM kpi_old o JOIN kpi_new n ON n.id = o.id AND n.customer_id IS DISTINCT FROM o.customer_id
        JOIN complaint_contacts cc ON cc.contact_id = n.id JOIN complaints c ON c.id = cc.complaint_id));
    RETURN NULL;
END $$;
CREATE TRIGGER contacts_kpi_update AFTER UPDATE ON contacts REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_contacts_changed();

-- The complaints already there.
SELECT kpi_refresh_complaints(ARRAY(SELECT id FROM complaints));
