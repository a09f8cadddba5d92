-- The REST API's keys (issue #13 points 6-7). An administrator issues a key per integration (the telephone system, a portal …):
-- the secret is shown once and only its SHA-256 is kept; the first characters ("prefix") find the row, the hash is compared in
-- constant time. Each key acts as its own integration account (users.is_integration): the Data layer's checks see that account's
-- roles and department, the records it writes name it (first responder, timeline, audit log). The account never signs in
-- (is_active is false, it has no password anyone knows) and is not offered in pickers.
ALTER TABLE users ADD COLUMN is_integration boolean NOT NULL DEFAULT false;
-- The agent's telephone extension (分机号): the CTI names it when a call rings there (issue #13 point 9).
ALTER TABLE users ADD COLUMN extension text CHECK (extension ~ '^[0-9]{2,8}$');
CREATE UNIQUE INDEX users_extension_key ON users (extension) WHERE is_active AND extension IS NOT NULL;

CREATE TABLE api_keys (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    prefix          text NOT NULL UNIQUE CHECK (prefix ~ '^[a-z2-7]{8}$'),
    secret_hash     bytea NOT NULL CHECK (length(secret_hash) = 32),
    user_id         integer NOT NULL UNIQUE REFERENCES users(id),
    scopes          text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['contacts','complaints.read','complaints.write',
                                                                                      'emergencies','kpis','customers','cti']::text[]),
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    created_by      integer NOT NULL REFERENCES users(id),
    revoked_at      timestamptz,
    revoked_by      integer REFERENCES users(id),
    last_used_at    timestamptz,
    CONSTRAINT api_keys_revocation_complete CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
    CONSTRAINT api_keys_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX api_keys_name_key ON api_keys (lower(name));
