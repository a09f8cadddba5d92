-- A contact time cannot be backdated at will (DOMAIN.md §4 handling, §6; issue #11 point 8). The time the department typed
-- (contacted_at, what the contact KPI measures) is kept beside the time it was logged (contact_logged_at). A typed time more than an
-- hour before the logging needs a note, which the KPI drill list shows with a mark.
ALTER TABLE complaints
    ADD COLUMN contact_logged_at timestamptz,
    ADD COLUMN contact_time_note text,
    ADD CONSTRAINT complaints_contact_note_length CHECK (char_length(contact_time_note) <= 500),
    ADD CONSTRAINT complaints_contact_backdated_noted CHECK (
        contact_logged_at IS NULL OR contacted_at >= contact_logged_at - interval '1 hour' OR char_length(btrim(contact_time_note)) > 0);

-- Contacts confirmed before: logged when the 'contacted' event was written.
UPDATE complaints c SET contact_logged_at = (SELECT min(e.at) FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'contacted')
WHERE c.contacted_at IS NOT NULL;
-- A complaint whose old contact was typed more than an hour back keeps it, with a note saying it was recorded before the rule.
UPDATE complaints SET contact_time_note = '（补录规则实施前登记）'
WHERE contact_logged_at IS NOT NULL AND contacted_at < contact_logged_at - interval '1 hour';
