-- On-site staff register what they receive (DOMAIN.md §3, §4 statistics; issue #11 point 2): a department switch, set by an admin,
-- lets its handlers and manager register contacts as first responders (the property company and each management project).
ALTER TABLE departments ADD COLUMN staff_register_contacts boolean NOT NULL DEFAULT false;

-- On by default for the property company (物业公司).
UPDATE departments SET staff_register_contacts = true WHERE code = 'PM' OR name = '物业公司';
