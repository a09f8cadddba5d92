-- First-class emergencies (DOMAIN.md §7): the report, the alerts to each person, and the timeline.

CREATE TABLE emergencies (
    id                          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                        text NOT NULL,
    project_id                  integer NOT NULL REFERENCES projects(id),
    building_id                 integer REFERENCES buildings(id),
    location                    text NOT NULL,
    occurred_at                 timestamptz NOT NULL,
    description                 text NOT NULL,
    responsible_department_id   integer NOT NULL REFERENCES departments(id),
    attempted                   boolean NOT NULL DEFAULT false,
    amount_yuan                 numeric(14, 2),
    reported_by                 integer NOT NULL REFERENCES users(id),
    reported_at                 timestamptz NOT NULL,
    on_site_due_at              timestamptz NOT NULL,
    state                       text NOT NULL DEFAULT 'reported',
    arrived_at                  timestamptz,
    arrived_by                  integer REFERENCES users(id),
    cause                       text,
    scope                       text,
    response                    text,
    CONSTRAINT emergencies_kind_known CHECK (kind IN ('disaster', 'fire_explosion', 'public_security', 'injury_death', 'compensation_loss', 'negative_media')),
    CONSTRAINT emergencies_state_known CHECK (state IN ('reported', 'on_site')),
    -- The manual's thresholds, also at the database: attempted theft is not first-class; a loss is 5000 yuan or more.
    CONSTRAINT emergencies_not_attempted CHECK (NOT attempted),
    CONSTRAINT emergencies_loss_threshold CHECK (kind <> 'compensation_loss' OR amount_yuan >= 5000),
    CONSTRAINT emergencies_arrival_complete CHECK (state <> 'on_site' OR (arrived_at IS NOT NULL AND arrived_by IS NOT NULL AND cause IS NOT NULL AND scope IS NOT NULL AND response IS NOT NULL))
);
CREATE INDEX emergencies_reported_at_idx ON emergencies (reported_at DESC);
CREATE INDEX emergencies_open_idx ON emergencies (on_site_due_at) WHERE state = 'reported';

-- One alert per person and reason; a person sees each alert once and acknowledges it.
CREATE TABLE emergency_alerts (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    emergency_id        integer NOT NULL REFERENCES emergencies(id),
    user_id             integer NOT NULL REFERENCES users(id),
    reason              text NOT NULL,
    created_at          timestamptz NOT NULL,
    acknowledged_at     timestamptz,
    CONSTRAINT emergency_alerts_reason_known CHECK (reason IN ('raised', 'reminder_60', 'reminder_90', 'escalated')),
    UNIQUE (emergency_id, user_id, reason)
);
CREATE INDEX emergency_alerts_pending_idx ON emergency_alerts (user_id) WHERE acknowledged_at IS NULL;

CREATE TABLE emergency_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    emergency_id    integer NOT NULL REFERENCES emergencies(id),
    at              timestamptz NOT NULL,
    kind            text NOT NULL,
    user_id         integer REFERENCES users(id),
    details         text NOT NULL DEFAULT '',
    CONSTRAINT emergency_events_kind_known CHECK (kind IN ('reported', 'acknowledged', 'arrived', 'reminder_60', 'reminder_90', 'escalated'))
);
CREATE INDEX emergency_events_emergency_idx ON emergency_events (emergency_id, at, id);
-- A reminder or an escalation happens once per emergency, however many servers or retries run the job.
CREATE UNIQUE INDEX emergency_events_once ON emergency_events (emergency_id, kind) WHERE kind IN ('reported', 'arrived', 'reminder_60', 'reminder_90', 'escalated');
