-- Issue #14 point 4: a state change of a complaint cannot be a HOT update (state is in the queue's, the closure's and the KPI's
-- partial indexes), so every closure writes a new entry into every full index of complaints, and every timeline event into every
-- index of complaint_events. The one-week auto-closure of 50,000 wrote 6 + 3 entries per complaint; now 4 + 2.

-- Unused: the duplicate suggestion reads complaint_texts since sql/0210 (its GiST index is scoped by project and time); the
-- statistics narrowed to a project read the month through complaints_registered_idx and filter (3 projects: a third of the month).
DROP INDEX complaints_project_recent_idx;

-- Listing by state (a complaint list filtered to "registered" or "handled", newest first) reads the complaints still open; the closed
-- ones (nearly all) are found through complaints_registered_idx as fast. A closed complaint no longer enters this index.
DROP INDEX complaints_state_idx;
CREATE INDEX complaints_unclosed_state_idx ON complaints (state, registered_at DESC) WHERE state <> 'closed';

-- Only the sweep's events carry a dedupe key (one per deadline stage); the others (every closure, note, reply) no longer add a NULL entry.
ALTER TABLE complaint_events DROP CONSTRAINT complaint_events_dedupe_key_key;
CREATE UNIQUE INDEX complaint_events_dedupe_key_key ON complaint_events (dedupe_key) WHERE dedupe_key IS NOT NULL;
