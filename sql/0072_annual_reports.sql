-- The Annual Service Review Report (《年度服务评审报告》, DOMAIN.md §5): each produced report is a numbered version per year, kept as a
-- jsonb snapshot of its content and never changed afterwards (the trigger refuses UPDATE, DELETE and TRUNCATE).
CREATE TABLE annual_reports (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year            integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    version         integer NOT NULL CHECK (version >= 1),
    produced_at     timestamptz NOT NULL,
    -- NULL: produced by the yearly job.
    produced_by     integer REFERENCES users(id),
    produced_by_name text NOT NULL,
    content         jsonb NOT NULL,
    UNIQUE (year, version)
);

CREATE FUNCTION annual_reports_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'annual_reports are immutable: produce a new version instead' USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER annual_reports_no_update BEFORE UPDATE OR DELETE ON annual_reports
    FOR EACH ROW EXECUTE FUNCTION annual_reports_are_immutable();
CREATE TRIGGER annual_reports_no_truncate BEFORE TRUNCATE ON annual_reports
    FOR EACH STATEMENT EXECUTE FUNCTION annual_reports_are_immutable();

