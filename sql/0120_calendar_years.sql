-- The business calendar by year (issue #11 point 12). A year's public holidays and make-up working days are loaded as a whole (pasted or
-- uploaded by an admin, one transaction); a year not loaded falls back to weekends only, and from 60 days before it the admin is warned
-- on the home page and the hot-complaint due dates carry a warning. The 2027 notice is not seeded: its dates are not known here.
CREATE TABLE calendar_years (
    year        integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    loaded_at   timestamptz NOT NULL,
    loaded_by   integer REFERENCES users(id),
    days        integer NOT NULL CHECK (days >= 0)
);

-- 2026 came with the first migration (国务院办公厅关于2026年部分节假日安排的通知); a year an admin already filled in day by day counts
-- as loaded when it has its holidays.
INSERT INTO calendar_years (year, loaded_at, loaded_by, days)
SELECT extract(year FROM day)::int, now(), NULL, count(*)::int
FROM calendar_days
GROUP BY extract(year FROM day)
HAVING count(*) FILTER (WHERE kind = 'holiday') > 0;
