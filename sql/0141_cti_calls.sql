-- Calls announced by the telephone system (CTI, issue #13 point 9): the caller's number, the extension that rings, the agent signed
-- in there and the customer the number belongs to. The contact registered from the screen pop keeps the call and its start time.
CREATE TABLE cti_calls (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    api_key_id      integer NOT NULL REFERENCES api_keys(id),
    -- The CTI's own id of the call: a repeated announcement of the same call is the same row.
    external_id     text CHECK (char_length(external_id) BETWEEN 1 AND 64),
    caller_phone    text NOT NULL CHECK (caller_phone ~ '^[0-9+-]{3,20}$'),
    extension       text NOT NULL CHECK (extension ~ '^[0-9]{2,8}$'),
    agent_id        integer REFERENCES users(id),
    customer_id     integer REFERENCES customers(id),
    started_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    UNIQUE (api_key_id, external_id)
);
CREATE INDEX cti_calls_agent_idx ON cti_calls (agent_id, received_at DESC);

ALTER TABLE contacts ADD COLUMN call_id bigint REFERENCES cti_calls(id);
ALTER TABLE contacts ADD COLUMN call_started_at timestamptz;
ALTER TABLE contacts ADD CONSTRAINT contacts_call_has_start CHECK ((call_id IS NULL) = (call_started_at IS NULL));
