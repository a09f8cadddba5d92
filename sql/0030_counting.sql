-- Complaint counting and knowledge (DOMAIN.md §4): classification by final root cause, statistics verification,
-- one complaint however many voices (merge groups, attached contacts, online follow-ups), standard replies,
-- hot complaints with the business calendar.

-- Counting rule 5: a complaint is closed only with its final root cause (最终原因). The closure (issue #5) relies on it.
ALTER TABLE complaints ADD CONSTRAINT complaints_closed_has_root_cause CHECK (state <> 'closed' OR root_cause_id IS NOT NULL);

ALTER TABLE complaints
    -- Counting rule 1: verification (统计核实). NULL = awaiting verification, true = counted, false = not counted.
    ADD COLUMN counted          boolean,
    ADD COLUMN count_reason     text,
    ADD COLUMN verified_by      integer REFERENCES users(id),
    ADD COLUMN verified_at      timestamptz,
    -- Counting rule 3: a merged complaint points to the surviving complaint of its group (one level, never a chain).
    ADD COLUMN merged_into_id   bigint REFERENCES complaints(id),
    ADD COLUMN merged_at        timestamptz,
    ADD COLUMN impact           text NOT NULL DEFAULT '',
    -- Counting rule 4: online complaints.
    ADD COLUMN post_url         text,
    ADD COLUMN follow_up_count  integer NOT NULL DEFAULT 0 CHECK (follow_up_count >= 0),
    ADD COLUMN heat             integer NOT NULL DEFAULT 0 CHECK (heat >= 0),
    ADD COLUMN offline_impact   text NOT NULL DEFAULT '',
    -- A follow-up with new content, split off as its own complaint.
    ADD COLUMN split_from_id    bigint REFERENCES complaints(id),
    ADD CONSTRAINT complaints_not_merged_into_self CHECK (merged_into_id IS NULL OR merged_into_id <> id),
    ADD CONSTRAINT complaints_not_counted_has_reason CHECK (counted IS DISTINCT FROM false OR coalesce(count_reason, '') <> '');

CREATE INDEX complaints_merged_into_idx ON complaints (merged_into_id) WHERE merged_into_id IS NOT NULL;
CREATE INDEX complaints_awaiting_verification_idx ON complaints (registered_at) WHERE counted IS NULL AND merged_into_id IS NULL;
-- Duplicate suggestion: narrow by project and recency, then score the few rows with similarity() (see docs/benchmarks.md).
CREATE INDEX complaints_project_recent_idx ON complaints (project_id, registered_at DESC);

-- Further voices of a complaint: contacts attached to it at intake (the same matter raised again or by someone else).
CREATE TABLE complaint_contacts (
    complaint_id    bigint NOT NULL REFERENCES complaints(id),
    contact_id      bigint NOT NULL REFERENCES contacts(id) UNIQUE,
    attached_by     integer NOT NULL REFERENCES users(id),
    attached_at     timestamptz NOT NULL,
    PRIMARY KEY (complaint_id, contact_id)
);

-- Standard replies (统一答复口径): a department's written reply for a matter of a project, approved by the CS supervisor.
CREATE TABLE standard_replies (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id      integer NOT NULL REFERENCES projects(id),
    matter          text NOT NULL,
    reply           text NOT NULL,
    department_id   integer NOT NULL REFERENCES departments(id),
    author_id       integer NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected','retired')),
    decided_by      integer REFERENCES users(id),
    decided_at      timestamptz,
    decision_note   text NOT NULL DEFAULT ''
);
CREATE INDEX standard_replies_project_idx ON standard_replies (project_id, status);

-- One row per use of a standard reply: the contact it answered (linked once the contact is saved) and the customer's opinion.
CREATE TABLE standard_reply_uses (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reply_id        integer NOT NULL REFERENCES standard_replies(id),
    contact_id      bigint REFERENCES contacts(id),
    customer_id     integer REFERENCES customers(id),
    used_by         integer NOT NULL REFERENCES users(id),
    used_at         timestamptz NOT NULL,
    opinion         text CHECK (opinion IN ('satisfied','neutral','dissatisfied')),
    opinion_note    text NOT NULL DEFAULT ''
);
CREATE INDEX standard_reply_uses_reply_idx ON standard_reply_uses (reply_id);
CREATE INDEX standard_reply_uses_customer_idx ON standard_reply_uses (customer_id);
CREATE INDEX standard_reply_uses_contact_idx ON standard_reply_uses (contact_id);

-- The business calendar: public holidays and the make-up working days (调休) China announces; weekends are implicit.
CREATE TABLE calendar_days (
    day     date PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('holiday','workday')),
    name    text NOT NULL DEFAULT ''
);
-- 2026, per the State Council General Office's notice on the 2026 public holiday arrangements (国务院办公厅关于2026年部分节假日
-- 安排的通知, published November 2025). Admins correct or extend it on the calendar page.
INSERT INTO calendar_days (day, kind, name)
SELECT d::date, 'holiday', n FROM (VALUES
    ('2026-01-01', '2026-01-03', '元旦'),
    ('2026-02-15', '2026-02-23', '春节'),
    ('2026-04-04', '2026-04-06', '清明节'),
    ('2026-05-01', '2026-05-05', '劳动节'),
    ('2026-06-19', '2026-06-21', '端午节'),
    ('2026-09-25', '2026-09-27', '中秋节'),
    ('2026-10-01', '2026-10-07', '国庆节')
) AS h(f, t, n), generate_series(f::date, t::date, interval '1 day') AS d;
INSERT INTO calendar_days (day, kind, name) VALUES
    ('2026-01-04', 'workday', '元旦调休'),
    ('2026-02-14', 'workday', '春节调休'),
    ('2026-02-28', 'workday', '春节调休'),
    ('2026-05-09', 'workday', '劳动节调休'),
    ('2026-09-20', 'workday', '国庆节调休'),
    ('2026-10-10', 'workday', '国庆节调休');

-- Hot complaints (热点投诉): reported to the group within one working day, in the manual's five parts.
CREATE TABLE hot_complaints (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_id    bigint NOT NULL UNIQUE REFERENCES complaints(id),
    flagged_by      integer NOT NULL REFERENCES users(id),
    flagged_at      timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    content         text NOT NULL DEFAULT '',
    cause_analysis  text NOT NULL DEFAULT '',
    current_status  text NOT NULL DEFAULT '',
    difficulties    text NOT NULL DEFAULT '',
    help_needed     text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    sent_by         integer REFERENCES users(id),
    reminded_at     timestamptz,
    overdue_at      timestamptz
);
CREATE INDEX hot_complaints_unsent_idx ON hot_complaints (due_at) WHERE sent_at IS NULL;
