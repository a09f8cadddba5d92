-- Offboarding (DOMAIN.md §2, accounts): shared departmental credentials are flagged for rotation when someone leaves.
ALTER TABLE users ADD COLUMN is_shared boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN rotation_required_since timestamptz;
