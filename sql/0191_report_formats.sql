-- Unified reporting formats (信息报送的统一格式), DOMAIN.md §1: the Enterprise Management Dept (企业管理部) sets, per kind of
-- reporting item, the format every department follows: a title and the required contents (an outline). Each issue is a new
-- version; the old versions stay as history. The current format of a kind is its highest version.
CREATE TABLE report_formats (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('annual_summary_plan','training_outline','instant')),
    version     integer NOT NULL CHECK (version >= 1),
    title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 100),
    contents    text NOT NULL CHECK (char_length(contents) BETWEEN 1 AND 4000),
    issued_by   integer REFERENCES users(id),
    issued_at   timestamptz NOT NULL,
    -- Two people issuing a new version from the same current one: the second fails here instead of both becoming "version n+1".
    CONSTRAINT report_formats_one_per_version UNIQUE (kind, version)
);
