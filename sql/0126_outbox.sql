-- The transactional outbox (issue #13 point 3, issue #16 point 3): every message to a channel outside the app is a row written in
-- the same transaction as the event it tells of (an emergency alert, an escalation, a hand-over …). The delivery job claims due rows
-- (FOR UPDATE SKIP LOCKED, with a lease), sends them, and records each attempt and its result. A row is never lost: a worker that
-- dies leaves its lease to expire and the row is claimed again, with the same idempotency key (and e-mail Message-Id, SMS OutId)
-- so the receiver or the record shows it once.
CREATE TABLE outbox_messages (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at          timestamptz NOT NULL,
    -- The channel that sends it. 'webhook' is for outgoing integration webhooks (endpoint_id names the subscription, payload the body).
    channel             text NOT NULL CHECK (channel IN ('email','robot','sms','webhook')),
    event_kind          text NOT NULL CHECK (char_length(event_kind) <= 60),
    -- What it is about (an emergency, a complaint …): an acknowledgement cancels the pending messages of its emergency.
    subject_type        text CHECK (char_length(subject_type) <= 30),
    subject_id          bigint,
    -- The people it is for (one for e-mail and SMS; those mentioned in a robot's group message).
    user_ids            integer[] NOT NULL DEFAULT '{}',
    -- The robot (channel robot) or the webhook subscription (channel webhook).
    endpoint_id         integer,
    -- The e-mail address or mobile number, as it was when the message was queued.
    address             text CHECK (char_length(address) <= 200),
    -- Robots: the mobiles to @mention in the group.
    mentions            text[] NOT NULL DEFAULT '{}',
    -- The text: a resource key with its arguments, rendered in the configured language when sent; the link opens the record.
    message_key         text NOT NULL DEFAULT '',
    args                text[] NOT NULL DEFAULT '{}',
    link                text NOT NULL DEFAULT '',
    payload             jsonb,
    idempotency_key     text NOT NULL UNIQUE CHECK (char_length(idempotency_key) <= 200),
    state               text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','failed','cancelled')),
    attempts            integer NOT NULL DEFAULT 0,
    -- After an administrator's retry the message has a fresh allowance: it fails for good at this many attempts (null: the setting).
    fail_after          integer,
    retried_at          timestamptz,
    retried_by          text,
    next_attempt_at     timestamptz NOT NULL,
    locked_until        timestamptz,
    sent_at             timestamptz,
    provider_reference  text,
    last_error          text,
    cancelled_at        timestamptz,
    cancel_reason       text,
    CONSTRAINT outbox_personal_has_address CHECK (channel NOT IN ('email','sms') OR address IS NOT NULL),
    CONSTRAINT outbox_robot_has_endpoint CHECK (channel NOT IN ('robot','webhook') OR endpoint_id IS NOT NULL)
);
-- The delivery job's claim: due pending rows, oldest first.
CREATE INDEX outbox_due ON outbox_messages (next_attempt_at, id) WHERE state = 'pending';
-- Cancelling an emergency's pending messages.
CREATE INDEX outbox_pending_subject ON outbox_messages (subject_type, subject_id) WHERE state = 'pending';
-- The admin's list filtered by state.
CREATE INDEX outbox_state ON outbox_messages (state, id DESC);

-- Every attempt and its result. An attempt without a result is one whose worker died (or is still sending): when the row is claimed
-- again it is closed as 'abandoned'.
CREATE TABLE outbox_attempts (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id          bigint NOT NULL REFERENCES outbox_messages(id) ON DELETE CASCADE,
    attempt_no          integer NOT NULL,
    started_at          timestamptz NOT NULL,
    finished_at         timestamptz,
    outcome             text CHECK (outcome IN ('sent','failed','abandoned')),
    error               text,
    provider_reference  text,
    UNIQUE (message_id, attempt_no)
);

-- Committed outbox rows are announced, so the delivery job runs at once instead of at its next minute. NOTIFY is delivered only on
-- commit (a rolled-back event announces nothing) and repeated payloads within a transaction are folded into one.
CREATE FUNCTION outbox_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted) THEN
        PERFORM pg_notify('servicehub_outbox', '');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_announce AFTER INSERT ON outbox_messages
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION outbox_announce();
