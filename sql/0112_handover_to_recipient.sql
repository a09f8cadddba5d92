-- A hand-over reaches its recipient (DOMAIN.md §3 first-responder responsibility, §8; issue #11 point 4): what is handed over (a
-- note), when it must be taken up (one working day by default, from the business calendar), when the recipient took it up, and when
-- the system flagged it as not taken up in time.
ALTER TABLE contacts
    ADD COLUMN handover_note text,
    ADD COLUMN handover_due_at timestamptz,
    ADD COLUMN handover_taken_at timestamptz,
    ADD COLUMN handover_flagged_at timestamptz,
    ADD CONSTRAINT contacts_handover_note_length CHECK (char_length(handover_note) <= 500),
    ADD CONSTRAINT contacts_handover_taken_after CHECK (handover_taken_at >= handover_at),
    -- Results recorded from now on are limited; earlier ones are left as they were written.
    ADD CONSTRAINT contacts_handover_result_length CHECK (char_length(handover_result) <= 1000) NOT VALID;

-- The recipient's list, and the sweep over the hand-overs not taken up.
CREATE INDEX contacts_handover_to_idx ON contacts (handover_to_id, handover_at DESC) WHERE handover_to_id IS NOT NULL;
CREATE INDEX contacts_handover_due_idx ON contacts (handover_due_at)
    WHERE handover_due_at IS NOT NULL AND handover_taken_at IS NULL AND handover_result IS NULL AND handover_flagged_at IS NULL;
