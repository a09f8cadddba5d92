-- Reporting calendar (信息报送) and department information assessment (信息考核), DOMAIN.md §6.
-- Each department's due items: the annual summary and plan (and mid/long-term plan) by 15 January, the annual training
-- outline in January (both created for every active department each year), and instant information (即时信息), reported to
-- the Enterprise Development Dept as it happens, due a set number of hours after it occurred.
CREATE TABLE reporting_settings (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    instant_lag_hours   integer NOT NULL DEFAULT 24 CHECK (instant_lag_hours BETWEEN 1 AND 720),
    updated_by          integer REFERENCES users(id),
    updated_at          timestamptz
);
INSERT INTO reporting_settings DEFAULT VALUES;

CREATE TABLE report_items (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department_id       integer NOT NULL REFERENCES departments(id),
    kind                text NOT NULL CHECK (kind IN ('annual_summary_plan','training_outline','instant')),
    year                integer NOT NULL,
    title               text,
    occurred_at         timestamptz,
    due_at              timestamptz NOT NULL,
    created_by          integer REFERENCES users(id),
    created_at          timestamptz NOT NULL,
    submitted_at        timestamptz,
    submitted_by        integer REFERENCES users(id),
    content             text,
    attachment_note     text,
    CONSTRAINT report_items_instant_has_occurrence CHECK ((kind = 'instant') = (occurred_at IS NOT NULL)),
    CONSTRAINT report_items_instant_has_title CHECK (kind <> 'instant' OR title IS NOT NULL),
    CONSTRAINT report_items_submission_complete CHECK ((submitted_at IS NULL) = (submitted_by IS NULL))
);
-- One recurring item per department, kind and year: the yearly generation is idempotent.
CREATE UNIQUE INDEX report_items_recurring_once ON report_items (department_id, kind, year) WHERE kind <> 'instant';
CREATE INDEX report_items_due_idx ON report_items (due_at, department_id);

-- Deduction rules (扣分规则) of the ten-point scale. Rules with a source other than 'manual' count their occurrences from the
-- calendar; 'manual' rules count occurrences recorded by the Enterprise Development Dept.
CREATE TABLE assessment_rules (
    code                text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
    name                text NOT NULL,
    name_en             text NOT NULL,
    source              text NOT NULL CHECK (source IN ('instant_late','annual_summary_plan','training_outline','manual')),
    points              numeric(4,2) NOT NULL CHECK (points > 0 AND points <= 10),
    cap                 numeric(4,2) CHECK (cap IS NULL OR (cap > 0 AND cap <= 10)),
    is_active           boolean NOT NULL DEFAULT true,
    sort_order          integer NOT NULL DEFAULT 100
);
INSERT INTO assessment_rules (code, name, name_en, source, points, cap, sort_order) VALUES
    ('INSTANT_LATE', '即时信息未达到报送时间要求（每例）', 'Instant information not reported in time (each)', 'instant_late', 0.5, 2, 1),
    ('ANNUAL_PLAN_MISSING', '1月15日前未报送年度总结和计划', 'Annual summary and plan not submitted by 15 January', 'annual_summary_plan', 2, 2, 2),
    ('TRAINING_OUTLINE_MISSING', '1月内未报送年度培训大纲', 'Annual training outline not submitted in January', 'training_outline', 1, 1, 3),
    ('INFO_NOT_TRUE', '报送信息不真实、不完整或传播未经证实的信息（每例）', 'Information untrue, incomplete or unverified (each)', 'manual', 1, 3, 4);

CREATE TABLE assessment_manual_deductions (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_code           text NOT NULL REFERENCES assessment_rules(code),
    department_id       integer NOT NULL REFERENCES departments(id),
    occurred_on         date NOT NULL,
    note                text NOT NULL,
    created_by          integer NOT NULL REFERENCES users(id),
    created_at          timestamptz NOT NULL
);
CREATE INDEX assessment_manual_deductions_idx ON assessment_manual_deductions (department_id, occurred_on);

-- Grade bands: lower bound inclusive, upper bound exclusive, except the band ending at 10, which includes 10.
CREATE TABLE assessment_grade_bands (
    grade               text PRIMARY KEY,
    lower_bound         numeric(4,2) NOT NULL CHECK (lower_bound >= 0 AND lower_bound < 10),
    upper_bound         numeric(4,2) NOT NULL CHECK (upper_bound > 0 AND upper_bound <= 10),
    CHECK (lower_bound < upper_bound)
);
INSERT INTO assessment_grade_bands (grade, lower_bound, upper_bound) VALUES
    ('A', 9, 10), ('B', 8, 9), ('C', 6, 8), ('D', 0, 6);
