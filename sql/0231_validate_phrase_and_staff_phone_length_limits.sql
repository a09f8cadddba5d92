-- Validates the length limits added NOT VALID by 0230 (existing rows are checked; writes continue meanwhile).
ALTER TABLE service_phrases VALIDATE CONSTRAINT service_phrases_text_length;
ALTER TABLE users VALIDATE CONSTRAINT users_phone_length;
