-- Failed background jobs (issue #16 point 13): a job that failed after its retries is recorded here, its administrators are
-- notified in the app, and it stays on their home page until one of them marks it handled. One open row per job: a job that
-- keeps failing counts its failures on that row instead of adding a row (and a notification) each time.
CREATE TABLE job_failures (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_name        text NOT NULL CHECK (length(job_name) BETWEEN 1 AND 200),
    hangfire_job_id text NOT NULL,
    first_failed_at timestamptz NOT NULL,
    last_failed_at  timestamptz NOT NULL,
    failures        integer NOT NULL DEFAULT 1,
    error           text NOT NULL CHECK (length(error) <= 1000),
    handled_at      timestamptz,
    handled_by      integer REFERENCES users(id)
);
CREATE UNIQUE INDEX job_failures_open_key ON job_failures (job_name) WHERE handled_at IS NULL;
