-- Outgoing webhooks (issue #13 point 8): an administrator registers a URL for event kinds; each event is queued in the outbox
-- (channel 'webhook', endpoint_id = the subscription) in the event's own transaction, signed with the subscription's secret
-- (stored encrypted with ASP.NET Core Data Protection, shown once) when sent.
CREATE TABLE webhook_subscriptions (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    url                 text NOT NULL CHECK (char_length(url) <= 500 AND url ~ '^https?://'),
    event_kinds         text[] NOT NULL CHECK (cardinality(event_kinds) > 0 AND event_kinds <@ ARRAY['complaint.registered','complaint.escalated',
                                                'complaint.closed','emergency.raised','emergency.arrived']::text[]),
    secret_protected    text NOT NULL,
    is_active           boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL,
    created_by          integer NOT NULL REFERENCES users(id),
    updated_at          timestamptz NOT NULL
);
CREATE UNIQUE INDEX webhook_subscriptions_name_key ON webhook_subscriptions (lower(name));
CREATE INDEX webhook_subscriptions_kinds ON webhook_subscriptions USING gin (event_kinds) WHERE is_active;

-- The events of a webhook are queued by triggers on the timelines every writer already keeps (complaint_events, emergency_events),
-- in the same transaction as the event: whichever path writes it (a page, the API, the escalation sweep, auto-closure, a job), a
-- webhook is queued exactly when the event is recorded, and a rolled-back event queues nothing. One message per subscription, its
-- idempotency key derived from the event row, so a replay queues nothing twice. The body carries identifiers and states only, no
-- customer's private data; the receiver reads more through the API with its key.
CREATE FUNCTION webhook_enqueue(p_kind text, p_event_key text, p_at timestamptz, p_subject_type text, p_subject_id bigint, p_data jsonb)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO outbox_messages (created_at, channel, event_kind, subject_type, subject_id, endpoint_id, message_key, args, link, payload,
                                 idempotency_key, next_attempt_at)
    SELECT p_at, 'webhook', 'webhook:' || p_kind, p_subject_type, p_subject_id, w.id, 'Outbox.Webhook', ARRAY[p_kind, w.name],
           coalesce(p_data ->> 'link', ''),
           jsonb_build_object('id', 'wh:' || w.id || ':' || p_event_key, 'event', p_kind,
                              'occurredAt', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'data', p_data),
           'wh:' || w.id || ':' || p_event_key, p_at
    FROM webhook_subscriptions w
    WHERE w.is_active AND p_kind = ANY (w.event_kinds)
    ON CONFLICT (idempotency_key) DO NOTHING
$$;

CREATE FUNCTION webhook_from_complaint_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_kind text := CASE NEW.kind WHEN 'registered' THEN 'complaint.registered' WHEN 'closed' THEN 'complaint.closed'
                                 WHEN 'deadline-level1' THEN 'complaint.escalated' WHEN 'deadline-level2' THEN 'complaint.escalated' END;
BEGIN
    IF v_kind IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE is_active AND v_kind = ANY (event_kinds)) THEN
        RETURN NULL;
    END IF;
    PERFORM webhook_enqueue(v_kind, 'ce:' || NEW.id, NEW.at, 'complaint', NEW.complaint_id,
        (SELECT jsonb_build_object('complaintId', c.id, 'sheetNo', c.sheet_no, 'state', c.state, 'channel', c.channel,
                                   'projectId', c.project_id, 'departmentId', c.department_id, 'urgencyMinutes', c.urgency_minutes,
                                   'escalationLevel', CASE NEW.kind WHEN 'deadline-level1' THEN 1 WHEN 'deadline-level2' THEN 2 ELSE c.escalation_level END,
                                   'deadline', NULLIF(NEW.details, ''), 'closeReason', c.close_reason,
                                   'link', '/complaints/' || c.id)
         FROM complaints c WHERE c.id = NEW.complaint_id));
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_events_webhooks AFTER INSERT ON complaint_events
    FOR EACH ROW WHEN (NEW.kind IN ('registered', 'closed', 'deadline-level1', 'deadline-level2'))
    EXECUTE FUNCTION webhook_from_complaint_event();

CREATE FUNCTION webhook_from_emergency_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_kind text := CASE NEW.kind WHEN 'reported' THEN 'emergency.raised' WHEN 'arrived' THEN 'emergency.arrived' END;
BEGIN
    IF v_kind IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE is_active AND v_kind = ANY (event_kinds)) THEN
        RETURN NULL;
    END IF;
    PERFORM webhook_enqueue(v_kind, 'ee:' || NEW.id, NEW.at, 'emergency', NEW.emergency_id,
        (SELECT jsonb_build_object('emergencyId', e.id, 'kind', e.kind, 'projectId', e.project_id, 'departmentId', e.responsible_department_id,
                                   'occurredAt', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                   'onSiteDueAt', to_char(e.on_site_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                   'arrivedAt', to_char(e.arrived_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                   'link', '/emergencies/' || e.id)
         FROM emergencies e WHERE e.id = NEW.emergency_id));
    RETURN NULL;
END $$;
CREATE TRIGGER emergency_events_webhooks AFTER INSERT ON emergency_events
    FOR EACH ROW WHEN (NEW.kind IN ('reported', 'arrived'))
    EXECUTE FUNCTION webhook_from_emergency_event();
