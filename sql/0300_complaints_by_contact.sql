-- Look-ups by a key that had no index, each on a page opened all day (docs/benchmarks.md, "A customer's contacts and their
-- complaints"): at 1,000,000 complaints and 300,000 return visits each read the whole table.

-- A contact's own complaint, found by the contact (complaints.contact_id): the customer's history beside the intake form, the
-- hotline's dossier pop-up, the spot check's draw, the hand-over sweep, merging and the KPI rollup's contact trigger all join
-- contacts to complaints ON c.contact_id = ct.id. Without an index the join read every complaint (a hash join over a sequential
-- scan: 345 ms at 1,000,000 complaints for a customer with seven contacts, on every caller's pop-up); with it, one index probe per
-- contact. contact_id never changes after registration: the index costs a registration one entry, and a state change that rewrites
-- the complaint's row one more (as the other indexes of unchanging keys do).
CREATE INDEX complaints_contact_idx ON complaints (contact_id);

-- The complaints split off from one (counting rule 4), read whenever a supervisor opens a complaint's counting panel. Few complaints
-- are split-offs: a partial index holds only those, so no other complaint's write touches it.
CREATE INDEX complaints_split_from_idx ON complaints (split_from_id) WHERE split_from_id IS NOT NULL;

-- A customer's return visits, newest first: the dossier and the telephone system's pop-up.
CREATE INDEX return_visit_tasks_customer_idx ON return_visit_tasks (customer_id, created_at DESC, id DESC);
