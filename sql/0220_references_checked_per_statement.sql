-- Issue #14 points 2 and 4: the references of the two tables the sweeps fill by thousands of rows in one statement are checked once
-- per statement instead of once per row. A foreign key checks each inserted row with its own query (an AFTER ROW trigger, one index
-- probe and one row lock each): the escalation sweep's 6,000 notifications paid 12,000 of them (a third of the sweep, EXPLAIN
-- ANALYZE), the one-week auto-closure's 50,000 timeline events 100,000 (complaint and actor). The same rule holds, set-based: after each statement that
-- inserts or updates rows, the referenced users and complaints are locked as a foreign key locks them (FOR KEY SHARE: none can be
-- deleted before this transaction ends) and a missing one fails the statement with SQLSTATE 23503 (foreign_key_violation); a
-- deleted user or complaint still referenced fails the same way. No migration, job or page deletes users or complaints (people are
-- deactivated, complaints closed), so the delete checks are the guard of the rule, not a hot path. docs/benchmarks.md has the figures.

ALTER TABLE notifications DROP CONSTRAINT notifications_user_id_fkey, DROP CONSTRAINT notifications_complaint_id_fkey;

-- One index fewer on every notification: the key (user_id, id) is read backwards for a person's latest (RecentAsync), which
-- notifications_user_idx (user_id, id DESC) did beside a key on id alone that nothing reads by (ids stay unique: an identity).
ALTER TABLE notifications DROP CONSTRAINT notifications_pkey, ADD CONSTRAINT notifications_pkey PRIMARY KEY (user_id, id);
DROP INDEX notifications_user_idx;
ALTER TABLE complaint_events DROP CONSTRAINT complaint_events_complaint_id_fkey, DROP CONSTRAINT complaint_events_actor_id_fkey;

-- Fails with foreign_key_violation unless every id of ids is a row of the table (users or complaints), and locks those rows.
CREATE FUNCTION references_exist(tbl regclass, ids bigint[], what text) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    found bigint;
    missing bigint;
BEGIN
    IF cardinality(ids) = 0 THEN RETURN; END IF;
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s t WHERE t.id = ANY ($1) FOR KEY SHARE OF t) x', tbl) INTO found USING ids;
    IF found < cardinality(ids) THEN
        EXECUTE format('SELECT i FROM unnest($1) i WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE t.id = i) LIMIT 1', tbl) INTO missing USING ids;
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('%s references %s id %s, which does not exist', what, tbl, missing);
    END IF;
END $$;

CREATE FUNCTION notifications_references_exist() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    PERFORM references_exist('users', ARRAY(SELECT DISTINCT n.user_id::bigint FROM written n ORDER BY 1), 'notifications');
    PERFORM references_exist('complaints', ARRAY(SELECT DISTINCT n.complaint_id FROM written n WHERE n.complaint_id IS NOT NULL ORDER BY 1), 'notifications');
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_references_inserted AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION notifications_references_exist();
-- Only read_at changes after the insert: the references stay as they were checked.
CREATE FUNCTION notifications_references_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.complaint_id IS DISTINCT FROM OLD.complaint_id THEN
        RAISE EXCEPTION 'the person and the complaint of a notification never change';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER notifications_references_fixed BEFORE UPDATE OF user_id, complaint_id ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_references_fixed();

-- Timeline events are never updated (complaint_events_no_update): inserts are the only way in.
CREATE FUNCTION complaint_events_references_exist() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    PERFORM references_exist('complaints', ARRAY(SELECT DISTINCT e.complaint_id FROM written e ORDER BY 1), 'complaint_events');
    PERFORM references_exist('users', ARRAY(SELECT DISTINCT e.actor_id::bigint FROM written e WHERE e.actor_id IS NOT NULL ORDER BY 1), 'complaint_events');
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_events_references_inserted AFTER INSERT ON complaint_events
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION complaint_events_references_exist();

-- The other side: a user or complaint still referenced cannot go (as ON DELETE NO ACTION); their ids are identities, never updated.
CREATE FUNCTION users_unreferenced() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT g.id INTO bad FROM gone g
    WHERE EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = g.id) OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.actor_id = g.id)
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('users id %s is still referenced from notifications or complaint_events', bad);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_unreferenced_deleted AFTER DELETE ON users
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION users_unreferenced();

CREATE FUNCTION complaints_unreferenced() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT g.id INTO bad FROM gone g
    WHERE EXISTS (SELECT 1 FROM notifications n WHERE n.complaint_id = g.id) OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = g.id)
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('complaints id %s is still referenced from notifications or complaint_events', bad);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER complaints_unreferenced_deleted AFTER DELETE ON complaints
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION complaints_unreferenced();
