-- The customer issue record sheet (《客户反映问题记录单》, form FY) for every kind (DOMAIN.md §3, §8; issue #11 point 3): the first
-- responder fills it for every consultation, inquiry and complaint, and HR's spot check samples sheets of all three kinds.

-- Every contact carries its sheet number; a complaint's is the same number as its complaint (complaints.sheet_no).
ALTER TABLE contacts ADD COLUMN sheet_no text UNIQUE;
UPDATE contacts ct SET sheet_no = c.sheet_no FROM complaints c WHERE c.contact_id = ct.id;

-- Contacts registered before this migration get their sheet now: numbered per business year after the numbers already given,
-- in the order they were received, so each year's FY sequence stays unique and gapless.
CREATE TEMP TABLE sheet_backfill ON COMMIT DROP AS
SELECT ct.id, y.year, row_number() OVER (PARTITION BY y.year ORDER BY ct.received_at, ct.id) AS n
FROM contacts ct
CROSS JOIN LATERAL (SELECT extract(year FROM ct.received_at AT TIME ZONE 'Asia/Shanghai')::int AS year) y
WHERE ct.sheet_no IS NULL;

UPDATE contacts ct
SET sheet_no = 'FY-' || b.year || '-' || lpad((coalesce(fc.last_no, 0) + b.n)::text, greatest(6, length((coalesce(fc.last_no, 0) + b.n)::text)), '0')
FROM sheet_backfill b
LEFT JOIN form_counters fc ON fc.form_type = 'FY' AND fc.year = b.year
WHERE ct.id = b.id;

INSERT INTO form_counters (form_type, year, last_no)
SELECT 'FY', year, count(*) FROM sheet_backfill GROUP BY year
ON CONFLICT (form_type, year) DO UPDATE SET last_no = form_counters.last_no + EXCLUDED.last_no;

-- HR's sample is of sheets, whatever their kind: an item names the contact (and its complaint, when it is one), its kind, and why it
-- is on the list: drawn in a sample, or flagged by the system (a hand-over not taken up in time, issue #11 point 4).
ALTER TABLE spot_check_items
    ADD COLUMN contact_id bigint REFERENCES contacts(id),
    ADD COLUMN kind text,
    ADD COLUMN source text NOT NULL DEFAULT 'sample';
UPDATE spot_check_items i SET contact_id = c.contact_id, kind = 'complaint' FROM complaints c WHERE c.id = i.complaint_id;
ALTER TABLE spot_check_items
    ALTER COLUMN contact_id SET NOT NULL,
    ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN complaint_id DROP NOT NULL,
    ALTER COLUMN draw_id DROP NOT NULL,
    DROP CONSTRAINT spot_check_items_period_complaint_id_key,
    ADD CONSTRAINT spot_check_items_period_contact_key UNIQUE (period, contact_id),
    ADD CONSTRAINT spot_check_items_kind_known CHECK (kind IN ('consultation','inquiry','complaint')),
    ADD CONSTRAINT spot_check_items_source_known CHECK (source IN ('sample','handover_overdue')),
    -- A drawn item belongs to its draw; a flagged one to no draw.
    ADD CONSTRAINT spot_check_items_draw_of_sample CHECK ((source = 'sample') = (draw_id IS NOT NULL));

-- The share of each kind in a draw: none set = proportional to the period's sheets of each kind; set = percentages adding up to 100.
-- The draw records the shares it used, so the seed reproduces it.
CREATE TABLE spot_check_settings (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    consultation_pct    integer CHECK (consultation_pct BETWEEN 0 AND 100),
    inquiry_pct         integer CHECK (inquiry_pct BETWEEN 0 AND 100),
    complaint_pct       integer CHECK (complaint_pct BETWEEN 0 AND 100),
    updated_by          integer REFERENCES users(id),
    updated_at          timestamptz,
    CONSTRAINT spot_check_settings_all_or_none CHECK (
        (consultation_pct IS NULL AND inquiry_pct IS NULL AND complaint_pct IS NULL)
        OR (consultation_pct + inquiry_pct + complaint_pct = 100))
);
INSERT INTO spot_check_settings (id) VALUES (true);

ALTER TABLE spot_check_draws
    ADD COLUMN kind_shares text NOT NULL DEFAULT 'proportional'
        CONSTRAINT spot_check_draws_kind_shares CHECK (kind_shares ~ '^(proportional|[0-9]{1,3}/[0-9]{1,3}/[0-9]{1,3})$');
