-- Live notifications (issue #11 point 4): every committed batch of new notifications is announced on the channel
-- servicehub_notifications with the ids of the people concerned ("*" when the list would not fit the payload), so each app instance
-- refreshes the bells of those people at once. NOTIFY is delivered only on commit: a rolled-back notification is never announced.
CREATE FUNCTION notifications_announce() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    users text;
BEGIN
    SELECT string_agg(DISTINCT user_id::text, ',') INTO users FROM inserted;
    IF users IS NOT NULL THEN
        PERFORM pg_notify('servicehub_notifications', CASE WHEN length(users) > 7000 THEN '*' ELSE users END);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_announce AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notifications_announce();
