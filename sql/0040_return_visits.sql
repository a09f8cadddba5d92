-- Return visits and closure (DOMAIN.md §4 closure, §5 return visits, §6 consultation satisfaction).

-- A repeat complaint (same customer, same matter) is linked to the earlier one at intake.
ALTER TABLE complaints ADD COLUMN repeat_of_complaint_id bigint REFERENCES complaints(id);
CREATE INDEX complaints_repeat_of_idx ON complaints (repeat_of_complaint_id) WHERE repeat_of_complaint_id IS NOT NULL;
-- The closure sweep reads only the candidates for the one-week closure, and counts the unclassified ones apart (partial
-- indexes: a closed complaint leaves them, so the sweep's cost follows the number of candidates, not the table).
CREATE INDEX complaints_autoclose_idx ON complaints (handled_at)
    WHERE state = 'handled' AND NOT needs_return_visit AND root_cause_id IS NOT NULL;
CREATE INDEX complaints_unclassified_idx ON complaints (handled_at) WHERE state = 'handled' AND root_cause_id IS NULL;

-- The CS supervisor's rules for return-visit work (one row).
CREATE TABLE return_visit_settings (
    id                      boolean PRIMARY KEY DEFAULT true CHECK (id),
    assign_rule             text NOT NULL DEFAULT 'round_robin' CHECK (assign_rule IN ('round_robin','lead')),
    due_hours               integer NOT NULL DEFAULT 48 CHECK (due_hours BETWEEN 1 AND 720),
    max_failed_attempts     integer NOT NULL DEFAULT 3 CHECK (max_failed_attempts BETWEEN 1 AND 20),
    consultation_sample_percent integer NOT NULL DEFAULT 10 CHECK (consultation_sample_percent BETWEEN 0 AND 100),
    -- Round robin: the last team member given a task.
    last_assignee_id        integer REFERENCES users(id),
    updated_at              timestamptz
);
INSERT INTO return_visit_settings DEFAULT VALUES;

-- A return visit (回访) to make: for a handled complaint that needs one, or a sampled consultation.
CREATE TABLE return_visit_tasks (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('complaint','consultation')),
    complaint_id        bigint REFERENCES complaints(id),
    contact_id          bigint REFERENCES contacts(id),
    customer_id         integer NOT NULL REFERENCES customers(id),
    department_id       integer REFERENCES departments(id),
    state               text NOT NULL DEFAULT 'open' CHECK (state IN ('open','escalated','done','cancelled')),
    assignee_id         integer REFERENCES users(id),
    due_at              timestamptz NOT NULL,
    scheduled_at        timestamptz NOT NULL,
    callback_at         timestamptz,
    failed_attempts     integer NOT NULL DEFAULT 0,
    outcome             text CHECK (outcome IN ('satisfied','not_satisfied')),
    customer_words      text,
    -- Satisfied on a complaint without a root cause: the closure waits for the classification (the sweep closes it then).
    closure_pending     boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL,
    completed_at        timestamptz,
    completed_by        integer REFERENCES users(id),
    CHECK ((kind = 'complaint') = (complaint_id IS NOT NULL)),
    CHECK (kind <> 'consultation' OR contact_id IS NOT NULL)
);
-- A handled complaint has at most one open return-visit task; a consultation is sampled once.
CREATE UNIQUE INDEX return_visit_tasks_open_complaint_uq ON return_visit_tasks (complaint_id) WHERE state IN ('open','escalated');
CREATE UNIQUE INDEX return_visit_tasks_consultation_uq ON return_visit_tasks (contact_id) WHERE kind = 'consultation';
CREATE INDEX return_visit_tasks_assignee_idx ON return_visit_tasks (assignee_id, scheduled_at) WHERE state IN ('open','escalated');
CREATE INDEX return_visit_tasks_completed_idx ON return_visit_tasks (completed_at) WHERE state = 'done';
CREATE INDEX return_visit_tasks_pending_idx ON return_visit_tasks (complaint_id) WHERE closure_pending;

-- Each call attempt, append-only.
CREATE TABLE return_visit_attempts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id         bigint NOT NULL REFERENCES return_visit_tasks(id),
    at              timestamptz NOT NULL,
    by_id           integer REFERENCES users(id),
    by_name         text NOT NULL,
    result          text NOT NULL CHECK (result IN ('no_answer','busy','wrong_number','call_back','reached')),
    callback_at     timestamptz,
    outcome         text CHECK (outcome IN ('satisfied','not_satisfied')),
    notes           text NOT NULL DEFAULT '',
    CHECK ((result = 'call_back') = (callback_at IS NOT NULL)),
    CHECK ((result = 'reached') = (outcome IS NOT NULL))
);
CREATE INDEX return_visit_attempts_task_idx ON return_visit_attempts (task_id, id);
CREATE TRIGGER return_visit_attempts_no_update BEFORE UPDATE OR DELETE ON return_visit_attempts
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- "Call me back at …": the assignee is reminded at that time (a Hangfire delayed job; the sweep catches any it missed).
CREATE TABLE return_visit_reminders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     bigint NOT NULL REFERENCES return_visit_tasks(id),
    remind_at   timestamptz NOT NULL,
    sent_at     timestamptz,
    UNIQUE (task_id, remind_at)
);
CREATE INDEX return_visit_reminders_due_idx ON return_visit_reminders (remind_at) WHERE sent_at IS NULL;

-- Each department's preliminary analysis (初步整理) per period, by its return-visit lead; figures from the records.
CREATE TABLE return_visit_analyses (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department_id   integer NOT NULL REFERENCES departments(id),
    period          text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    visits          integer NOT NULL,
    satisfied       integer NOT NULL,
    not_satisfied   integer NOT NULL,
    top_reasons     text NOT NULL DEFAULT '',
    analysis        text NOT NULL,
    author_id       integer NOT NULL REFERENCES users(id),
    submitted_at    timestamptz NOT NULL,
    UNIQUE (department_id, period)
);

-- The return-visit working group (回访工作小组): final opinions for the company meeting, leadership's plan, its actions.
CREATE TABLE return_visit_plans (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period          text NOT NULL UNIQUE CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    final_opinion   text NOT NULL DEFAULT '',
    decided_plan    text NOT NULL DEFAULT '',
    decided_at      date,
    updated_by      integer REFERENCES users(id),
    updated_at      timestamptz NOT NULL
);
CREATE TABLE return_visit_plan_actions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id         bigint NOT NULL REFERENCES return_visit_plans(id),
    description     text NOT NULL,
    department_id   integer REFERENCES departments(id),
    due_date        date,
    done_at         timestamptz,
    done_by         integer REFERENCES users(id),
    created_at      timestamptz NOT NULL
);
CREATE INDEX return_visit_plan_actions_plan_idx ON return_visit_plan_actions (plan_id, id);
