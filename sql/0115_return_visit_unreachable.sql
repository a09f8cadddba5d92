-- Return visits that cannot reach the customer (DOMAIN.md §4 closure, §5; issue #11 point 5).
--  * After the configured number of failed attempts, each on a different business day (Beijing date), the return-visit lead closes
--    the task as "unreachable", with a note; the attempts stay listed (return_visit_attempts).
--  * The complaint then closes by the one-week rule, as if no return visit were needed: the lifecycle marks it
--    (return_visit_unreachable_at), and the auto-closure reads the mark beside needs_return_visit.
--  * Unreachable visits are counted apart in every satisfaction figure: neither satisfied nor dissatisfied.
--  * The CS supervisor sets and changes whether a complaint needs a return visit, with a reason (timeline and audit log).

ALTER TABLE return_visit_tasks
    DROP CONSTRAINT return_visit_tasks_state_check,
    ADD CONSTRAINT return_visit_tasks_state_check CHECK (state IN ('open','escalated','done','cancelled','unreachable')),
    ADD COLUMN unreachable_note text,
    ADD CONSTRAINT return_visit_tasks_unreachable_recorded CHECK (
        state <> 'unreachable' OR (completed_at IS NOT NULL AND completed_by IS NOT NULL AND outcome IS NULL AND unreachable_note IS NOT NULL)),
    ADD CONSTRAINT return_visit_tasks_unreachable_note_length CHECK (char_length(unreachable_note) <= 500);
CREATE INDEX return_visit_tasks_unreachable_idx ON return_visit_tasks (completed_at) WHERE state = 'unreachable';

ALTER TABLE return_visit_settings
    ADD COLUMN unreachable_after_days integer NOT NULL DEFAULT 3 CHECK (unreachable_after_days BETWEEN 1 AND 20);

ALTER TABLE complaints ADD COLUMN return_visit_unreachable_at timestamptz;

-- The one-week closure's candidates: handled without a return visit, or with a return visit that could not reach the customer.
DROP INDEX complaints_autoclose_idx;
CREATE INDEX complaints_autoclose_idx ON complaints (handled_at)
    WHERE state = 'handled' AND (NOT needs_return_visit OR return_visit_unreachable_at IS NOT NULL) AND root_cause_id IS NOT NULL;

-- The department's preliminary analysis keeps its unreachable visits beside the satisfied and dissatisfied ones.
ALTER TABLE return_visit_analyses ADD COLUMN unreachable integer NOT NULL DEFAULT 0;
