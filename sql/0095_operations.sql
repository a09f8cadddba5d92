-- Operations (issues #12 and #16): a production start without the demo, the first administrator, backups.

-- An account whose password an administrator (or the command line) set: the person changes it at the first sign-in.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- What this database is. One row at most; is_demo is written by the demo seeder only, in the transaction that seeds.
CREATE TABLE installation (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    is_demo     boolean NOT NULL,
    marked_at   timestamptz NOT NULL
);

-- A database seeded before this migration holds the demo company's accounts: it is a demo.
INSERT INTO installation (is_demo, marked_at)
SELECT true, now()
WHERE (SELECT count(*) FROM users WHERE user_name IN ('admin', 'agent', 'supervisor', 'csmanager', 'returnvisit', 'handler', 'pmmanager', 'leader', 'vp')) = 9;

-- One row per finished backup attempt, written by the backup itself (nightly job, the admin's button, `servicehub.sh backup`)
-- once it has succeeded (dump written and verified) or failed. Written after the dump, so a restored database does not list
-- the backup it came from as unfinished.
CREATE TABLE backups (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    trigger      text NOT NULL CHECK (trigger IN ('nightly', 'manual', 'command')),
    state        text NOT NULL CHECK (state IN ('succeeded', 'failed')),
    file_name    text CHECK (length(file_name) <= 1000),
    size_bytes   bigint,
    message      text CHECK (length(message) <= 4000)
);
CREATE INDEX backups_recent_idx ON backups (started_at DESC);
CREATE INDEX backups_good_idx ON backups (finished_at DESC) WHERE state = 'succeeded';
