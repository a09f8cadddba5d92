-- Issue #14 point 2: the department queue's total kept, not counted. The queue's unfiltered total (what a handler sees first, and
-- what the queue page reloads) was an index-only count of complaint_states_department_queue_idx: 10,000 entries at 1,000,000
-- complaints, and between two vacuums a heap visit for every entry on a page changed since the last one (up to 3 ms, twice the
-- page's own query). Now it is one row per department, moved in the statement that moves a complaint in or out of a queue.
--
-- A complaint is in its department's queue while its state row says dispatched or contacted and not merged (ComplaintSql.InQueue,
-- the index's predicate). The statement triggers on complaint_states add the rows that entered a queue and subtract those that left
-- it, by department, from their transition tables (a transfer leaves one queue and enters another); rows changing neither (a
-- deadline moved, a closure, a note) write nothing. Counters are changed in department order, so two statements never wait on
-- each other's counters in opposite orders. A filtered total (project, urgency, state) is still counted.

CREATE TABLE department_queue_totals (
    department_id integer PRIMARY KEY REFERENCES departments (id),
    -- No CHECK (total >= 0): an INSERT … ON CONFLICT proposing a department's negative difference would fail it before the conflict.
    total         integer NOT NULL
);

INSERT INTO department_queue_totals (department_id, total)
SELECT department_id, count(*)::int FROM complaint_states
WHERE state IN ('dispatched','contacted') AND merged_into_id IS NULL AND department_id IS NOT NULL
GROUP BY department_id ORDER BY department_id;

CREATE FUNCTION department_queue_totals_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO department_queue_totals AS t (department_id, total)
        SELECT n.department_id, count(*)::int FROM queue_new n
        WHERE n.state IN ('dispatched','contacted') AND n.merged_into_id IS NULL AND n.department_id IS NOT NULL
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (department_id) DO UPDATE SET total = t.total + excluded.total;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO department_queue_totals AS t (department_id, total)
        SELECT o.department_id, -count(*)::int FROM queue_old o
        WHERE o.state IN ('dispatched','contacted') AND o.merged_into_id IS NULL AND o.department_id IS NOT NULL
        GROUP BY 1 ORDER BY 1
        ON CONFLICT (department_id) DO UPDATE SET total = t.total + excluded.total;
    ELSE
        INSERT INTO department_queue_totals AS t (department_id, total)
        SELECT * FROM (
            SELECT x.department_id, sum(x.s)::int AS delta
            FROM (SELECT -1 AS s, o.department_id FROM queue_old o
                  WHERE o.state IN ('dispatched','contacted') AND o.merged_into_id IS NULL AND o.department_id IS NOT NULL
                  UNION ALL
                  SELECT 1, n.department_id FROM queue_new n
                  WHERE n.state IN ('dispatched','contacted') AND n.merged_into_id IS NULL AND n.department_id IS NOT NULL) x
            GROUP BY 1) d
        WHERE d.delta <> 0
        ORDER BY 1
        ON CONFLICT (department_id) DO UPDATE SET total = t.total + excluded.total;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_states_queue_insert AFTER INSERT ON complaint_states REFERENCING NEW TABLE AS queue_new
    FOR EACH STATEMENT EXECUTE FUNCTION department_queue_totals_changed();
CREATE TRIGGER complaint_states_queue_update AFTER UPDATE ON complaint_states REFERENCING OLD TABLE AS queue_old NEW TABLE AS queue_new
    FOR EACH STATEMENT EXECUTE FUNCTION department_queue_totals_changed();
CREATE TRIGGER complaint_states_queue_delete AFTER DELETE ON complaint_states REFERENCING OLD TABLE AS queue_old
    FOR EACH STATEMENT EXECUTE FUNCTION department_queue_totals_changed();

-- Rebuilt from the state rows (after data was loaded with the triggers disabled), in the caller's transaction.
CREATE FUNCTION department_queue_totals_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE complaint_states IN SHARE MODE;
    DELETE FROM department_queue_totals;
    INSERT INTO department_queue_totals (department_id, total)
    SELECT department_id, count(*)::int FROM complaint_states
    WHERE state IN ('dispatched','contacted') AND merged_into_id IS NULL AND department_id IS NOT NULL
    GROUP BY department_id ORDER BY department_id;
END $$;
