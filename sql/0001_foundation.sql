-- Foundation: people, organisation, master data, audit log.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE departments (
    id                      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                    text NOT NULL UNIQUE,
    name                    text NOT NULL,
    name_en                 text NOT NULL,
    manager_user_id         integer,
    return_visit_lead_id    integer,
    supervising_vp_id       integer,
    is_active               boolean NOT NULL DEFAULT true,
    created_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_name           text NOT NULL,
    display_name        text NOT NULL,
    password_hash       text NOT NULL,
    roles               text[] NOT NULL DEFAULT '{}',
    department_id       integer REFERENCES departments(id),
    phone               text,
    is_active           boolean NOT NULL DEFAULT true,
    failed_attempts     integer NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    security_stamp      uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at          timestamptz NOT NULL DEFAULT now(),
    deactivated_at      timestamptz,
    CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['agent','handler','dept_manager','return_visit','cs_supervisor','hr','leadership','admin']::text[])
);
CREATE UNIQUE INDEX users_user_name_key ON users (lower(user_name));

ALTER TABLE departments
    ADD CONSTRAINT departments_manager_fk FOREIGN KEY (manager_user_id) REFERENCES users(id),
    ADD CONSTRAINT departments_rv_lead_fk FOREIGN KEY (return_visit_lead_id) REFERENCES users(id),
    ADD CONSTRAINT departments_vp_fk FOREIGN KEY (supervising_vp_id) REFERENCES users(id);

CREATE TABLE projects (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    address     text NOT NULL DEFAULT '',
    property_department_id integer REFERENCES departments(id),
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE buildings (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  integer NOT NULL REFERENCES projects(id),
    name        text NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE units (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    building_id integer NOT NULL REFERENCES buildings(id),
    number      text NOT NULL,
    UNIQUE (building_id, number)
);

CREATE TABLE customers (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL,
    phone               text NOT NULL,
    phone2              text,
    unit_id             integer REFERENCES units(id),
    membership_no       text,
    membership_level    text,
    notes               text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_phone_valid CHECK (phone ~ '^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$'),
    CONSTRAINT customers_phone2_valid CHECK (phone2 IS NULL OR phone2 ~ '^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$')
);
CREATE INDEX customers_phone_idx ON customers (phone text_pattern_ops);
CREATE INDEX customers_phone2_idx ON customers (phone2 text_pattern_ops);
CREATE INDEX customers_name_trgm ON customers USING gin (name gin_trgm_ops);
CREATE INDEX customers_unit_idx ON customers (unit_id);

-- Append-only audit log: sign-ins, failed sign-ins, master-data changes, full views of private data.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    user_id     integer,
    user_name   text NOT NULL,
    action      text NOT NULL,
    entity      text NOT NULL DEFAULT '',
    entity_id   text NOT NULL DEFAULT '',
    details     text NOT NULL DEFAULT '',
    ip          text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- ASP.NET Core data-protection keys, shared by every app instance (cookies stay valid across restarts and instances).
CREATE TABLE data_protection_keys (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name   text NOT NULL,
    xml             text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
