-- Issue #14 point 2: the department queue's first page with its total (p95 ≤ 10 ms at 1,000,000 complaints, ≤ 2× the raw page query).
-- The queue is ComplaintSql.InQueue: dispatched or contacted, and not merged into another complaint. complaints_queue_idx held the
-- state but not the merge, so its total was a bitmap heap scan of the department's open rows (5,000–10,000 at 1,000,000 complaints;
-- the heap read only to drop the merged ones) and the page read every row sharing the first deadline before sorting by
-- (current_due_at, id). This index holds exactly the queue's rows in the page's order: the page is the first 25 entries of one
-- department, the total an index-only count of its entries (the heap visited only for pages changed since the last vacuum: see the
-- autovacuum settings below). The same job, the same columns plus the page's
-- tie-break, so the replaced index is dropped (the home page's queue counts, WorkSummary, use the same predicate).
CREATE INDEX complaints_department_queue_idx ON complaints (department_id, current_due_at, id)
    WHERE state IN ('dispatched','contacted') AND merged_into_id IS NULL;
DROP INDEX complaints_queue_idx;

-- An index-only count visits the heap for every page not marked all-visible in the visibility map, and a page loses the mark when
-- any row on it changes — the queue's rows are the ones that change all day. With the defaults (a vacuum after 20% of the table
-- changed: 200,000 rows at 1,000,000) the map of the working set would be stale most of the time. Vacuum complaints after
-- 0.2% + 1,000 changed or inserted rows (3,000 at 1,000,000; about half a day's work of a large company): a vacuum then reads only
-- the pages changed since the last one (the others are all-visible), and the total visits at most those few pages
-- (docs/benchmarks.md: measured with 2,999 queue rows changed since the last vacuum).
ALTER TABLE complaints SET (autovacuum_vacuum_scale_factor = 0.002, autovacuum_vacuum_threshold = 1000,
                            autovacuum_vacuum_insert_scale_factor = 0.002, autovacuum_vacuum_insert_threshold = 1000);
