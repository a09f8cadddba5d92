-- Accountability (DOMAIN.md §8): HR spot checks of the customer issue record sheets and the penalty ledger.

CREATE TABLE spot_check_draws (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period          text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
    sample_size     integer NOT NULL CHECK (sample_size > 0),
    department_id   integer REFERENCES departments(id),
    seed            bigint NOT NULL,
    drawn_by        integer NOT NULL REFERENCES users(id),
    drawn_at        timestamptz NOT NULL
);

-- A sheet is sampled at most once per period.
CREATE TABLE spot_check_items (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    draw_id             integer NOT NULL REFERENCES spot_check_draws(id),
    period              text NOT NULL,
    complaint_id        bigint NOT NULL REFERENCES complaints(id),
    first_responder_id  integer NOT NULL REFERENCES users(id),
    checked_at          timestamptz,
    checked_by          integer REFERENCES users(id),
    UNIQUE (period, complaint_id)
);
CREATE INDEX spot_check_items_draw_idx ON spot_check_items (draw_id, id);

CREATE TABLE penalties (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id         bigint REFERENCES spot_check_items(id),
    person_id       integer NOT NULL REFERENCES users(id),
    department_id   integer REFERENCES departments(id),
    period          text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
    breach          text NOT NULL CHECK (breach IN ('result_not_recorded','no_satisfactory_answer','shirking','unjustified_delay',
                                                    'uncivil_language','quarrelling','late_handover')),
    amount          numeric(8,2) NOT NULL,
    note            text NOT NULL DEFAULT '',
    state           text NOT NULL DEFAULT 'proposed' CHECK (state IN ('proposed','contested','confirmed','withdrawn')),
    proposed_by     integer NOT NULL REFERENCES users(id),
    proposed_at     timestamptz NOT NULL,
    contest_note    text,
    contested_by    integer REFERENCES users(id),
    contested_at    timestamptz,
    decided_by      integer REFERENCES users(id),
    decided_at      timestamptz,
    -- The manual's ranges on the monthly performance bonus.
    CONSTRAINT penalties_amount_in_range CHECK (
        CASE WHEN breach IN ('result_not_recorded','no_satisfactory_answer') THEN amount BETWEEN 50 AND 100
             ELSE amount BETWEEN 100 AND 500 END)
);
CREATE INDEX penalties_period_idx ON penalties (period, department_id, person_id);
CREATE INDEX penalties_person_idx ON penalties (person_id, period);
