-- Validates the length limits added NOT VALID by 0160 (existing rows are checked; writes continue meanwhile).
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
             WHERE NOT convalidated AND contype = 'c' AND conname LIKE '%\_length' ESCAPE '\'
    LOOP
        EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;
END $$;
