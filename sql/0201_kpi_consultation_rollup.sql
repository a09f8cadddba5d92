-- KPI dashboard by design (issue #14 point 1), consultations: satisfied ÷ all consultations by business month of receipt ×
-- department (the one it was handed over to, else the first responder's), kept by triggers like the complaint rollup (0200):
-- per consultation facts (kpi_consultation_facts) and their sums (kpi_consultation_rollup), in the writer's transaction.
-- The expressions are Satisfaction.ConsultationJoins/ConsultationDepartment/ConsultationSatisfied/CallbackUnreachable
-- (ServiceHub.Data/ReturnVisits/ReturnVisitRules.cs); KpiRollupTests compares both on random data.

CREATE TABLE kpi_consultation_facts (
    contact_id       bigint PRIMARY KEY,
    month            date,
    department_id    integer,
    consultations    integer NOT NULL DEFAULT 0,
    satisfied        integer NOT NULL DEFAULT 0,
    unreachable      integer NOT NULL DEFAULT 0
);

CREATE TABLE kpi_consultation_rollup (
    month            date NOT NULL,
    department_id    integer,
    consultations    integer NOT NULL DEFAULT 0,
    satisfied        integer NOT NULL DEFAULT 0,
    unreachable      integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX kpi_consultation_rollup_key ON kpi_consultation_rollup (month, department_id) NULLS NOT DISTINCT;

CREATE FUNCTION kpi_refresh_consultations(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
    INSERT INTO kpi_consultation_facts (contact_id) SELECT DISTINCT i FROM unnest(ids) i WHERE i IS NOT NULL ORDER BY i ON CONFLICT DO NOTHING;
    PERFORM 1 FROM kpi_consultation_facts f WHERE f.contact_id IN (SELECT unnest(ids)) ORDER BY f.contact_id FOR UPDATE;

    WITH old AS (
        SELECT f.* FROM kpi_consultation_facts f WHERE f.contact_id IN (SELECT unnest(ids))
    ), new AS (
        SELECT ct.id AS contact_id, date_trunc('month', ct.received_at AT TIME ZONE 'Asia/Shanghai')::date AS month,
               coalesce(ho.department_id, fr.department_id) AS department_id, count(*)::int AS consultations,
               count(*) FILTER (WHERE coalesce(t.outcome = 'satisfied', ct.satisfied, false))::int AS satisfied,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM return_visit_tasks u
                                              WHERE u.contact_id = ct.id AND u.kind = 'consultation' AND u.state = 'unreachable'))::int AS unreachable
        FROM contacts ct
        JOIN users fr ON fr.id = ct.first_responder_id
        LEFT JOIN users ho ON ho.id = ct.handover_to_id
        LEFT JOIN return_visit_tasks t ON t.contact_id = ct.id AND t.kind = 'consultation' AND t.state = 'done'
        WHERE ct.id IN (SELECT unnest(ids)) AND ct.kind = 'consultation'
        GROUP BY ct.id, 2, 3
    ), rollup AS (
        INSERT INTO kpi_consultation_rollup AS r (month, department_id, consultations, satisfied, unreachable)
        SELECT month, department_id, sum(s * consultations), sum(s * satisfied), sum(s * unreachable)
        FROM (SELECT -1 AS s, o.* FROM old o WHERE o.month IS NOT NULL
              UNION ALL
              SELECT 1, n.* FROM new n) d
        GROUP BY month, department_id
        ORDER BY month, department_id
        ON CONFLICT (month, department_id) DO UPDATE SET
            consultations = r.consultations + excluded.consultations, satisfied = r.satisfied + excluded.satisfied,
            unreachable = r.unreachable + excluded.unreachable
    ), gone AS (
        DELETE FROM kpi_consultation_facts f
        WHERE f.contact_id IN (SELECT unnest(ids)) AND NOT EXISTS (SELECT 1 FROM new n WHERE n.contact_id = f.contact_id)
    )
    UPDATE kpi_consultation_facts f SET (month, department_id, consultations, satisfied, unreachable)
        = (n.month, n.department_id, n.consultations, n.satisfied, n.unreachable)
    FROM new n WHERE f.contact_id = n.contact_id;
END $$;

CREATE FUNCTION kpi_consultation_contacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh_consultations(ARRAY(SELECT n.id FROM kpi_new n WHERE n.kind = 'consultation'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM kpi_refresh_consultations(ARRAY(SELECT o.id FROM kpi_old o WHERE o.kind = 'consultation'));
    ELSE
        PERFORM kpi_refresh_consultations(ARRAY(
            SELECT n.id FROM kpi_old o JOIN kpi_new n ON n.id = o.id
            WHERE 'consultation' IN (o.kind, n.kind)
              AND (o.kind, o.received_at, o.first_responder_id, o.handover_to_id, o.satisfied)
                  IS DISTINCT FROM (n.kind, n.received_at, n.first_responder_id, n.handover_to_id, n.satisfied)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER contacts_kpi_consultation_insert AFTER INSERT ON contacts REFERENCING NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_consultation_contacts_changed();
CREATE TRIGGER contacts_kpi_consultation_update AFTER UPDATE ON contacts REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_consultation_contacts_changed();
CREATE TRIGGER contacts_kpi_consultation_delete AFTER DELETE ON contacts REFERENCING OLD TABLE AS kpi_old
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_consultation_contacts_changed();

-- A satisfaction callback done, closed unreachable, reopened or removed.
CREATE FUNCTION kpi_consultation_tasks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh_consultations(ARRAY(SELECT DISTINCT n.contact_id FROM kpi_new n WHERE n.kind = 'consultation'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM kpi_refresh_consultations(ARRAY(SELECT DISTINCT o.contact_id FROM kpi_old o WHERE o.kind = 'consultation'));
    ELSE
        PERFORM kpi_refresh_consultations(ARRAY(
            SELECT x.contact_id FROM kpi_old o JOIN kpi_new n ON n.id = o.id,
                   LATERAL (VALUES (o.contact_id), (n.contact_id)) x(contact_id)
            WHERE 'consultation' IN (o.kind, n.kind) AND x.contact_id IS NOT NULL
              AND (o.kind, o.contact_id, o.state, o.outcome) IS DISTINCT FROM (n.kind, n.contact_id, n.state, n.outcome)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER return_visit_tasks_kpi_insert AFTER INSERT ON return_visit_tasks REFERENCING NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_consultation_tasks_changed();
CREATE TRIGGER return_visit_tasks_kpi_update AFTER UPDATE ON return_visit_tasks REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_consultation_tasks_changed();
CREATE TRIGGER return_visit_tasks_kpi_delete AFTER DELETE ON return_visit_tasks REFERENCING OLD TABLE AS kpi_old
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_consultation_tasks_changed();

-- A person moved to another department: the consultations they answered or were handed.
CREATE FUNCTION kpi_consultation_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Most updates of users (sign-in, roles, names) move no one: nothing to look up.
    IF NOT EXISTS (SELECT 1 FROM kpi_old o JOIN kpi_new n ON n.id = o.id AND n.department_id IS DISTINCT FROM o.department_id) THEN RETURN NULL; END IF;
    PERFORM kpi_refresh_consultations(ARRAY(
        SELECT ct.id FROM kpi_old o JOIN kpi_new n ON n.id = o.id AND n.department_id IS DISTINCT FROM o.department_id
        JOIN contacts ct ON ct.first_responder_id = n.id WHERE ct.kind = 'consultation'
        UNION
        SELECT ct.id FROM kpi_old o JOIN kpi_new n ON n.id = o.id AND n.department_id IS DISTINCT FROM o.department_id
        JOIN contacts ct ON ct.handover_to_id = n.id WHERE ct.kind = 'consultation'));
    RETURN NULL;
END $$;
CREATE TRIGGER users_kpi_update AFTER UPDATE ON users REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_consultation_users_changed();

-- The consultations already there.
SELECT kpi_refresh_consultations(ARRAY(SELECT id FROM contacts WHERE kind = 'consultation'));
