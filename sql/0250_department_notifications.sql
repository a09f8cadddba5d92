-- Issue #14 point 2: the escalation sweep's warnings of complaints nobody handles yet go to every active handler of the department
-- (6 in the benchmark's seed: 6,000 notification rows and 18,000 index entries for 1,000 due). They are now written once per
-- department event and read through the membership the department had when the event was written:
--
--   notification_rosters          a department's active handlers at a moment (one row per distinct set; a new set when someone joins,
--                                 leaves, is deactivated or loses the role — the sweep writes it when it first needs it);
--   department_notifications      one row per event, pointing at the roster it was written for;
--   department_notification_reads a person's read mark of one event, written only when they read it;
--   notification_read_through     per person, an id below which every event of theirs has a read mark (kept for counting quickly).
--
-- Who sees a department event: exactly the people of its roster — the department's active handlers when it was written, as when the
-- sweep wrote one row each. A handler who joins later does not see earlier warnings (they were not on duty for them; the complaints
-- themselves are in the department queue they see); one who leaves or is deactivated keeps the warnings of their time.
-- Ids come from the notifications' own sequence, so a person's inbox (their rows and their departments' events) is ordered by id.

CREATE TABLE notification_rosters (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department_id integer NOT NULL REFERENCES departments(id),
    role          text NOT NULL,
    user_ids      integer[] NOT NULL CHECK (cardinality(user_ids) > 0),
    UNIQUE (department_id, role, user_ids)
);

CREATE TABLE department_notifications (
    id            bigint NOT NULL DEFAULT nextval('notifications_id_seq'::regclass),
    roster_id     integer NOT NULL REFERENCES notification_rosters(id),
    created_at    timestamptz NOT NULL,
    kind          text NOT NULL,
    complaint_id  bigint,
    message_key   text NOT NULL,
    args          text[] NOT NULL DEFAULT '{}',
    link          text NOT NULL DEFAULT '',
    dedupe_key    text UNIQUE,
    -- A person's events are read per roster, newest first (the bell) or above their read-through id (the unread count).
    PRIMARY KEY (roster_id, id)
);

CREATE TABLE department_notification_reads (
    user_id         integer NOT NULL REFERENCES users(id),
    notification_id bigint NOT NULL,
    read_at         timestamptz NOT NULL,
    PRIMARY KEY (user_id, notification_id)
);

CREATE TABLE notification_read_through (
    user_id         integer PRIMARY KEY REFERENCES users(id),
    notification_id bigint NOT NULL
);

-- The references of department events (complaint) and rosters (people) checked per statement, as sql/0220 does for notifications.
CREATE FUNCTION department_notifications_references_exist() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    PERFORM references_exist('complaints', ARRAY(SELECT DISTINCT n.complaint_id FROM written n WHERE n.complaint_id IS NOT NULL ORDER BY 1),
                             'department_notifications');
    RETURN NULL;
END $$;
CREATE TRIGGER department_notifications_references_inserted AFTER INSERT ON department_notifications
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION department_notifications_references_exist();
CREATE FUNCTION department_notifications_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a department notification is never changed';
END $$;
CREATE TRIGGER department_notifications_fixed BEFORE UPDATE ON department_notifications
    FOR EACH ROW EXECUTE FUNCTION department_notifications_fixed();

CREATE FUNCTION notification_rosters_references_exist() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    PERFORM references_exist('users', ARRAY(SELECT DISTINCT u::bigint FROM written r, unnest(r.user_ids) u ORDER BY 1), 'notification_rosters');
    RETURN NULL;
END $$;
CREATE TRIGGER notification_rosters_references_inserted AFTER INSERT ON notification_rosters
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION notification_rosters_references_exist();
CREATE FUNCTION notification_rosters_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.user_ids IS DISTINCT FROM OLD.user_ids OR NEW.department_id IS DISTINCT FROM OLD.department_id OR NEW.role IS DISTINCT FROM OLD.role THEN
        RAISE EXCEPTION 'a roster is the membership of a moment and never changes';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER notification_rosters_fixed BEFORE UPDATE ON notification_rosters
    FOR EACH ROW EXECUTE FUNCTION notification_rosters_fixed();

-- A person in a roster, or a complaint with a department event, cannot be deleted (as with their notifications, sql/0220).
CREATE OR REPLACE FUNCTION users_unreferenced() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT g.id INTO bad FROM gone g
    WHERE EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = g.id) OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.actor_id = g.id)
       OR EXISTS (SELECT 1 FROM notification_rosters r WHERE g.id = ANY (r.user_ids))
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('users id %s is still referenced from notifications or complaint_events', bad);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION complaints_unreferenced() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT g.id INTO bad FROM gone g
    WHERE EXISTS (SELECT 1 FROM notifications n WHERE n.complaint_id = g.id) OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = g.id)
       OR EXISTS (SELECT 1 FROM department_notifications n WHERE n.complaint_id = g.id)
    LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('complaints id %s is still referenced from notifications or complaint_events', bad);
    END IF;
    RETURN NULL;
END $$;

-- Live: a committed batch of department events refreshes the bells of the people of their rosters (as sql/0113 for notifications).
CREATE FUNCTION department_notifications_announce() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    users text;
BEGIN
    SELECT string_agg(DISTINCT u::text, ',') INTO users
    FROM notification_rosters r, unnest(r.user_ids) u WHERE r.id IN (SELECT DISTINCT roster_id FROM inserted);
    IF users IS NOT NULL THEN
        PERFORM pg_notify('servicehub_notifications', CASE WHEN length(users) > 7000 THEN '*' ELSE users END);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER department_notifications_announce AFTER INSERT ON department_notifications
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION department_notifications_announce();

-- Everything a person finds in their inbox, one row per person and notification, as the bell shows it: their own notifications and
-- the events of the rosters they are in, read when they have a read mark. For reports and checks; the bell reads the tables by index
-- (NotificationRepository).
CREATE VIEW notification_inbox AS
SELECT n.id, n.user_id, n.created_at, n.kind, n.complaint_id, n.message_key, n.args, n.link, n.read_at, n.dedupe_key,
       NULL::integer AS department_id
FROM notifications n
UNION ALL
SELECT e.id, u.user_id, e.created_at, e.kind, e.complaint_id, e.message_key, e.args, e.link, x.read_at, e.dedupe_key, r.department_id
FROM department_notifications e
JOIN notification_rosters r ON r.id = e.roster_id
CROSS JOIN LATERAL unnest(r.user_ids) AS u(user_id)
LEFT JOIN department_notification_reads x ON x.user_id = u.user_id AND x.notification_id = e.id;
