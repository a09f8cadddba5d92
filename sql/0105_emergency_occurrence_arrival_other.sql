-- First-class emergencies (DOMAIN.md §7, issue #11 points 9 and 14):
--  * the two hours run from the event (发生…后…2小时内), not from the report;
--  * arrival on site is its own action with its own time; the findings (cause, scope, basic response) may follow later;
--  * the manual's list ends with 等: an "other first-class event", described, which the CS supervisor confirms or not.

-- The on-site deadline counts from the occurrence, for the emergencies already recorded too (the KPI and the annual report
-- read on_site_due_at): one rule for every row. The arrival's in-time/late mark follows it.
UPDATE emergencies SET on_site_due_at = occurred_at + interval '2 hours'
WHERE on_site_due_at <> occurred_at + interval '2 hours';
UPDATE emergency_events v SET details = CASE WHEN e.arrived_at <= e.on_site_due_at THEN 'in-time' ELSE 'late' END
FROM emergencies e
WHERE v.emergency_id = e.id AND v.kind = 'arrived' AND e.arrived_at IS NOT NULL;

-- Arrival: the time the manager was on site (typed, default now) and the time it was recorded; the findings, with who and when.
ALTER TABLE emergencies
    DROP CONSTRAINT emergencies_arrival_complete,
    ADD COLUMN arrival_recorded_at timestamptz,
    ADD COLUMN findings_at timestamptz,
    ADD COLUMN findings_by integer REFERENCES users(id),
    ADD CONSTRAINT emergencies_arrival_recorded CHECK (state <> 'on_site' OR (arrived_at IS NOT NULL AND arrived_by IS NOT NULL)),
    ADD CONSTRAINT emergencies_arrived_after_occurrence CHECK (arrived_at >= occurred_at),
    ADD CONSTRAINT emergencies_findings_after_arrival CHECK (cause IS NULL OR state = 'on_site'),
    ADD CONSTRAINT emergencies_findings_complete CHECK ((cause IS NULL) = (scope IS NULL) AND (cause IS NULL) = (response IS NULL));
UPDATE emergencies SET arrival_recorded_at = arrived_at, findings_at = arrived_at, findings_by = arrived_by
WHERE state = 'on_site';

-- The open list: "other first-class event" with a short description of what it is (kind_detail), awaiting the CS supervisor's
-- decision (confirmation: pending → confirmed | not_first_class), recorded with who, when and why.
ALTER TABLE emergencies
    DROP CONSTRAINT emergencies_kind_known,
    ADD CONSTRAINT emergencies_kind_known CHECK (kind IN ('disaster', 'fire_explosion', 'public_security', 'injury_death', 'compensation_loss', 'negative_media', 'other')),
    ADD COLUMN kind_detail text,
    ADD COLUMN confirmation text,
    ADD COLUMN confirmed_by integer REFERENCES users(id),
    ADD COLUMN confirmed_at timestamptz,
    ADD COLUMN confirmation_note text,
    ADD CONSTRAINT emergencies_other_described CHECK ((kind = 'other') = (kind_detail IS NOT NULL) AND char_length(btrim(kind_detail)) BETWEEN 1 AND 50),
    ADD CONSTRAINT emergencies_confirmation_known CHECK (confirmation IN ('pending', 'confirmed', 'not_first_class')),
    ADD CONSTRAINT emergencies_other_confirmed CHECK ((kind = 'other') = (confirmation IS NOT NULL)),
    ADD CONSTRAINT emergencies_confirmation_recorded CHECK (
        coalesce(confirmation IN ('confirmed', 'not_first_class'), false) = (confirmed_by IS NOT NULL AND confirmed_at IS NOT NULL));
CREATE INDEX emergencies_unconfirmed_idx ON emergencies (reported_at DESC) WHERE confirmation = 'pending';

-- The CS supervisors are alerted to confirm an "other" event.
ALTER TABLE emergency_alerts
    DROP CONSTRAINT emergency_alerts_reason_known,
    ADD CONSTRAINT emergency_alerts_reason_known CHECK (reason IN ('raised', 'reminder_60', 'reminder_90', 'escalated', 'confirm'));

-- The timeline: the findings saved (may be saved again as they become clearer), the CS supervisor's decision.
ALTER TABLE emergency_events
    DROP CONSTRAINT emergency_events_kind_known,
    ADD CONSTRAINT emergency_events_kind_known CHECK (kind IN ('reported', 'acknowledged', 'arrived', 'reminder_60', 'reminder_90', 'escalated',
                                                               'findings', 'confirmed', 'not_first_class'));
