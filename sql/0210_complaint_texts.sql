-- Duplicate suggestion at intake (DOMAIN.md §4 counting rule 3; issue #14 point 3): same project, similar content, the last
-- 30 days. Shape A scored every complaint of the project's 30 days with similarity() (~4,000 rows in the largest project at
-- 1,000,000 complaints: each call re-reads both texts into trigrams). Here each complaint's text sits in a narrow table with a
-- GiST index on (project, registration time, trigrams): one index scan keeps the project and the window and tests
-- `content % text` on the trigrams stored in the index's leaves. pg_trgm's GiST similarity search is exact at the leaves (the
-- same count and the same float4 comparison as similarity() >= threshold), so the suggestions are shape A's, read from
-- ~100 index pages instead of scoring ~4,000 rows. docs/benchmarks.md has the figures.
--
-- Why a table of its own and not a GiST index on complaints: complaints are updated all day (state, deadlines); every update
-- that is not HOT would insert into a trigram GiST (re-reading the text into trigrams, then descending the tree). This table
-- changes only when a complaint is registered or its project, registration time or text change (destruction blanks the text:
-- the copy is blanked in the same statement). Merged complaints stay here; the query leaves them out through complaints.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE complaint_texts (
    complaint_id    bigint PRIMARY KEY REFERENCES complaints(id) ON DELETE CASCADE,
    project_id      integer NOT NULL,
    registered_at   timestamptz NOT NULL,
    content         text NOT NULL
);

INSERT INTO complaint_texts (complaint_id, project_id, registered_at, content)
SELECT id, project_id, registered_at, content FROM complaints WHERE project_id IS NOT NULL;

-- A GiST leaf holds the text's whole trigram array (3 bytes a trigram) and an index row can hold at most 8,191 bytes: a text of 4,000
-- characters (the intake limit) has up to ~4,000 distinct trigrams and would make its registration fail. Texts up to 1,000
-- characters (at most ~2,000 trigrams, ~6 kB; nearly every complaint) are in the GiST index; the few longer ones are found by project
-- and time on a B-tree of their own and scored one by one, as shape A did. The query names both predicates word for word.
CREATE INDEX complaint_texts_search_idx ON complaint_texts USING gist (project_id, registered_at, content gist_trgm_ops)
    WHERE char_length(content) <= 1000;
CREATE INDEX complaint_texts_long_idx ON complaint_texts (project_id, registered_at) WHERE char_length(content) > 1000;

-- Registration: one set-based insert per statement (bulk loads and imports pay no per-row trigger call).
CREATE FUNCTION complaint_texts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO complaint_texts (complaint_id, project_id, registered_at, content)
    SELECT id, project_id, registered_at, content FROM registered WHERE project_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER complaints_texts_insert AFTER INSERT ON complaints
    REFERENCING NEW TABLE AS registered FOR EACH STATEMENT EXECUTE FUNCTION complaint_texts_insert();

-- A change of project, registration time or text (rare): the copy follows; a complaint without a project has none.
CREATE FUNCTION complaint_texts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.project_id IS NULL THEN
        DELETE FROM complaint_texts WHERE complaint_id = NEW.id;
    ELSE
        INSERT INTO complaint_texts (complaint_id, project_id, registered_at, content)
        VALUES (NEW.id, NEW.project_id, NEW.registered_at, NEW.content)
        ON CONFLICT (complaint_id) DO UPDATE
            SET project_id = EXCLUDED.project_id, registered_at = EXCLUDED.registered_at, content = EXCLUDED.content;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER complaints_texts_update AFTER UPDATE OF project_id, registered_at, content ON complaints
    FOR EACH ROW
    WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id OR OLD.registered_at IS DISTINCT FROM NEW.registered_at
          OR OLD.content IS DISTINCT FROM NEW.content)
    EXECUTE FUNCTION complaint_texts_update();
