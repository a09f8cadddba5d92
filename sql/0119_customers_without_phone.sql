-- A customer may exist without a phone (DOMAIN.md §3, §4 counting rule 4; issue #11 point 11): the author of a forum post known by
-- a handle, a newspaper, a forwarding body. Such a customer is reached through that channel: forum, media or forwarded, with the
-- handle, the newspaper or the body's name as the contact (contact_handle). Everyone else still needs a valid phone.
ALTER TABLE customers
    ALTER COLUMN phone DROP NOT NULL,
    ADD COLUMN contact_channel text,
    ADD COLUMN contact_handle text,
    ADD CONSTRAINT customers_contact_channel_known CHECK (contact_channel IN ('forum','media','forwarded')),
    ADD CONSTRAINT customers_contact_complete CHECK ((contact_channel IS NULL) = (contact_handle IS NULL)),
    ADD CONSTRAINT customers_contact_handle_length CHECK (char_length(btrim(contact_handle)) BETWEEN 1 AND 100),
    ADD CONSTRAINT customers_reachable CHECK (phone IS NOT NULL OR contact_channel IS NOT NULL);
-- The same author is found again by channel and handle.
CREATE UNIQUE INDEX customers_contact_handle_uq ON customers (contact_channel, lower(btrim(contact_handle))) WHERE phone IS NULL;
