-- The filing job's store step reads only the register rows of other modules still waiting to be stored (open complaints,
-- hand-overs without a result, emergencies before arrival): a small set, whatever the size of the register.
CREATE INDEX info_records_waiting_idx ON info_records (source_type, source_id) WHERE state = 'filed' AND source_type IS NOT NULL;
