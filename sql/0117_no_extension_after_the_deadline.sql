-- An extension cannot rescue a missed deadline (DOMAIN.md §4 处理延期, §6; issue #11 point 7). From now on the lifecycle refuses
-- an extension recorded after the reply deadline it would replace. Extensions recorded late before this migration are undone
-- in the figures: the reply deadline in force is rebuilt from the extensions recorded in time only (each no later than the
-- deadline it replaced), and a late one is kept as the new date agreed with the customer (agreed_reply_at), which does not count.
DO $$
DECLARE
    c record;
    e record;
    due timestamptz;
    late timestamptz;
BEGIN
    FOR c IN
        SELECT x.id, x.registered_at, x.first_replied_at, x.urgency_minutes FROM complaints x
        WHERE EXISTS (SELECT 1 FROM complaint_events l WHERE l.complaint_id = x.id AND l.kind = 'extended' AND l.at > l.deadline_before)
    LOOP
        due := c.registered_at + interval '48 hours';
        late := NULL;
        FOR e IN
            SELECT at, deadline_after FROM complaint_events
            WHERE complaint_id = c.id AND kind = 'extended' AND (c.first_replied_at IS NULL OR at <= c.first_replied_at)
            ORDER BY at, id
        LOOP
            IF e.at <= due THEN due := e.deadline_after; ELSE late := e.deadline_after; END IF;
        END LOOP;
        IF c.first_replied_at IS NOT NULL THEN
            UPDATE complaints SET first_reply_due_at = due WHERE id = c.id;
        ELSE
            -- Not replied yet: the missed deadline is the one in force again; the sweep escalates it.
            UPDATE complaints SET reply_due_at = due, agreed_reply_at = coalesce(late, agreed_reply_at),
                current_due_at = CASE WHEN current_due_at IS NULL THEN NULL ELSE least(current_due_at, due) END
            WHERE id = c.id;
            UPDATE complaint_deadlines SET due_at = due, warn_at = least(warn_at, due),
                level2_at = due + make_interval(mins => coalesce(c.urgency_minutes, 120)),
                next_at = CASE WHEN NOT active OR next_at IS NULL THEN next_at
                               WHEN stage = 'pending' THEN least(warn_at, due) WHEN stage = 'warned' THEN due
                               WHEN stage = 'level1' THEN due + make_interval(mins => coalesce(c.urgency_minutes, 120)) END
            WHERE complaint_id = c.id AND kind = 'reply';
        END IF;
    END LOOP;
END $$;
