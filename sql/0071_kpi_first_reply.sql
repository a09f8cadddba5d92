-- KPIs (DOMAIN.md §6), reply within 48 h: the first reply to the customer and the reply deadline in force at that moment
-- (48 h after registration, or the new time agreed by an extension, 处理延期), kept on the complaint so the figure is a plain
-- scan of complaints (a reopened complaint gets a new reply deadline later; the first reply is what the measure judges).
ALTER TABLE complaints
    ADD COLUMN first_replied_at    timestamptz,
    ADD COLUMN first_reply_due_at  timestamptz;

-- Set once, when the complaint is handled (replied) the first time, whichever code path writes it.
CREATE FUNCTION complaints_keep_first_reply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.first_replied_at IS NULL AND NEW.handled_at IS NOT NULL THEN
        NEW.first_replied_at := NEW.handled_at;
        NEW.first_reply_due_at := NEW.reply_due_at;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER complaints_first_reply BEFORE INSERT OR UPDATE OF handled_at ON complaints
    FOR EACH ROW EXECUTE FUNCTION complaints_keep_first_reply();

-- Complaints replied before this migration: the first 'handled' event and the last extension agreed before it.
UPDATE complaints c SET first_replied_at = r.first_at,
       first_reply_due_at = coalesce((SELECT x.deadline_after FROM complaint_events x
                                      WHERE x.complaint_id = c.id AND x.kind = 'extended' AND x.at <= r.first_at
                                      ORDER BY x.at DESC, x.id DESC LIMIT 1),
                                     c.registered_at + interval '48 hours')
FROM (SELECT c2.id, coalesce((SELECT min(e.at) FROM complaint_events e WHERE e.complaint_id = c2.id AND e.kind = 'handled'), c2.handled_at) AS first_at
      FROM complaints c2 WHERE c2.handled_at IS NOT NULL) r
WHERE r.id = c.id;
