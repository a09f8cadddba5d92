-- Intake (DOMAIN.md §3) and complaints (§4): registers, numbering, complaint lifecycle, deadlines, timeline,
-- in-app notifications, service language (§9).

-- Per-year, per-form gapless numbering: the counter row is incremented in the transaction that saves the form,
-- so a rolled-back save gives its number back and concurrent saves queue on the row lock.
CREATE TABLE form_counters (
    form_type   text NOT NULL,
    year        integer NOT NULL,
    last_no     integer NOT NULL,
    PRIMARY KEY (form_type, year)
);

CREATE TABLE contacts (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    register_no             text NOT NULL UNIQUE,
    channel                 text NOT NULL CHECK (channel IN ('phone','visit','letter','email','forum','media','forwarded')),
    kind                    text NOT NULL CHECK (kind IN ('consultation','inquiry','complaint')),
    customer_id             integer NOT NULL REFERENCES customers(id),
    project_id              integer REFERENCES projects(id),
    unit_id                 integer REFERENCES units(id),
    purpose                 text NOT NULL DEFAULT '',
    content                 text NOT NULL,
    answer                  text NOT NULL DEFAULT '',
    satisfied               boolean,
    forbidden_phrases       text[] NOT NULL DEFAULT '{}',
    received_at             timestamptz NOT NULL,
    first_responder_id      integer NOT NULL REFERENCES users(id),
    reception_no            text UNIQUE,
    reception_confirmed_by  text,
    reception_confirmed_at  timestamptz,
    handover_to_id          integer REFERENCES users(id),
    handover_at             timestamptz,
    handover_result         text,
    handover_result_at      timestamptz,
    created_at              timestamptz NOT NULL
);
CREATE INDEX contacts_customer_idx ON contacts (customer_id, received_at DESC);
CREATE INDEX contacts_received_idx ON contacts (received_at DESC);
CREATE INDEX contacts_responder_idx ON contacts (first_responder_id, received_at DESC);

-- The first responder (首问责任人) is recorded once and never changed.
CREATE FUNCTION contacts_first_responder_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.first_responder_id IS DISTINCT FROM OLD.first_responder_id OR NEW.register_no IS DISTINCT FROM OLD.register_no THEN
        RAISE EXCEPTION 'the first responder and the register number of a contact never change';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER contacts_first_responder_fixed BEFORE UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_first_responder_is_fixed();

CREATE TABLE complaints (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sheet_no            text NOT NULL UNIQUE,
    contact_id          bigint NOT NULL REFERENCES contacts(id),
    customer_id         integer NOT NULL REFERENCES customers(id),
    project_id          integer REFERENCES projects(id),
    unit_id             integer REFERENCES units(id),
    channel             text NOT NULL,
    content             text NOT NULL,
    state               text NOT NULL DEFAULT 'registered'
                        CHECK (state IN ('registered','dispatched','contacted','handled','closed')),
    urgency_minutes     integer CHECK (urgency_minutes IN (15, 30, 60, 120)),
    department_id       integer REFERENCES departments(id),
    handler_id          integer REFERENCES users(id),
    registered_by       integer NOT NULL REFERENCES users(id),
    registered_at       timestamptz NOT NULL,
    dispatched_at       timestamptz,
    contact_due_at      timestamptz,
    contacted_at        timestamptz,
    contact_method      text,
    reply_due_at        timestamptz NOT NULL,
    resolution          text,
    reply               text,
    reply_forbidden_phrases text[] NOT NULL DEFAULT '{}',
    handled_at          timestamptz,
    handled_by          integer REFERENCES users(id),
    needs_return_visit  boolean NOT NULL DEFAULT true,
    closed_at           timestamptz,
    close_reason        text,
    escalation_level    integer NOT NULL DEFAULT 0,
    -- The nearest active deadline: the department queue orders by it.
    current_due_at      timestamptz,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX complaints_queue_idx ON complaints (department_id, current_due_at)
    WHERE state IN ('dispatched','contacted');
CREATE INDEX complaints_customer_idx ON complaints (customer_id, registered_at DESC);
CREATE INDEX complaints_state_idx ON complaints (state, registered_at DESC);
CREATE INDEX complaints_registered_idx ON complaints (registered_at DESC);

-- Each deadline of a complaint (contact, reply) with its stages: pending → warned → level1 → level2.
-- next_at is the time of the next stage; the escalation sweep reads the partial index on it, so its cost grows with the
-- number of items due, not with the table.
CREATE TABLE complaint_deadlines (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_id    bigint NOT NULL REFERENCES complaints(id),
    kind            text NOT NULL CHECK (kind IN ('contact','reply')),
    starts_at       timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    warn_at         timestamptz NOT NULL,
    level2_at       timestamptz NOT NULL,
    stage           text NOT NULL DEFAULT 'pending' CHECK (stage IN ('pending','warned','level1','level2')),
    next_at         timestamptz,
    active          boolean NOT NULL DEFAULT true,
    UNIQUE (complaint_id, kind)
);
CREATE INDEX complaint_deadlines_next_idx ON complaint_deadlines (next_at) WHERE next_at IS NOT NULL;

-- The append-only timeline of a complaint: who, when, what, deadlines before and after.
CREATE TABLE complaint_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_id    bigint NOT NULL REFERENCES complaints(id),
    at              timestamptz NOT NULL,
    actor_id        integer REFERENCES users(id),
    actor_name      text NOT NULL,
    kind            text NOT NULL,
    details         text NOT NULL DEFAULT '',
    deadline_before timestamptz,
    deadline_after  timestamptz,
    -- Set for sweep events so a deadline stage is recorded once, however many sweeps run.
    dedupe_key      text UNIQUE
);
CREATE INDEX complaint_events_complaint_idx ON complaint_events (complaint_id, id);
CREATE TRIGGER complaint_events_no_update BEFORE UPDATE OR DELETE ON complaint_events
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- In-app notifications for the people concerned.
CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         integer NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL,
    kind            text NOT NULL,
    complaint_id    bigint REFERENCES complaints(id),
    message_key     text NOT NULL,
    args            text[] NOT NULL DEFAULT '{}',
    link            text NOT NULL DEFAULT '',
    read_at         timestamptz,
    dedupe_key      text,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_unread_idx ON notifications (user_id, id DESC) WHERE read_at IS NULL;
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);

-- Service language (§9): standard phrases per situation and forbidden phrases, editable by the CS supervisor.
CREATE TABLE service_phrases (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('standard','forbidden')),
    situation   text NOT NULL DEFAULT 'general'
                CHECK (situation IN ('greeting','waiting','calming','closing','general')),
    text        text NOT NULL,
    is_active   boolean NOT NULL DEFAULT true,
    sort_order  integer NOT NULL DEFAULT 0,
    UNIQUE (kind, text)
);
INSERT INTO service_phrases (kind, situation, text, sort_order) VALUES
    ('standard', 'greeting', '您好，有什么需要帮助？', 1),
    ('standard', 'greeting', '您好，这里是客户服务热线，请问有什么可以帮您？', 2),
    ('standard', 'waiting', '我们会将您反映的问题与相关部门联系，请您留下联系电话，我们将尽快给您答复。', 1),
    ('standard', 'waiting', '请您稍等，我马上为您查询。', 2),
    ('standard', 'calming', '非常理解您的心情，请您别着急，我们一定尽快帮您解决。', 1),
    ('standard', 'calming', '给您带来不便，非常抱歉，我们会认真处理。', 2),
    ('standard', 'closing', '请问您还有什么需要帮助？', 1),
    ('standard', 'closing', '感谢您的来电，祝您生活愉快，再见。', 2),
    ('forbidden', 'general', '你不是说XX吗？', 1),
    ('forbidden', 'general', '不是告诉你了，怎么还不明白？', 2),
    ('forbidden', 'general', '大点声，听不见！', 3),
    ('forbidden', 'general', '不是我办的，不知道，不清楚。', 4),
    ('forbidden', 'general', '这不归我们管。', 5),
    ('forbidden', 'general', '你自己看着办。', 6),
    ('forbidden', 'general', '我也没办法。', 7);
