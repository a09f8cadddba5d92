-- Issue #12 point 14 (columns limited by earlier migrations — hand-over note and result, contact handle, unreachable note,
-- contact-time note — are left as they are): every free-text column has a length limit in the database too, a backstop behind the Data layer's field
-- messages (TextInput.Check). The limits are the Data layer's, or above them where a column gathers several inputs (an event's
-- details). Added NOT VALID here and validated by 0136 in its own transaction, so the scan of existing rows holds only a
-- SHARE UPDATE EXCLUSIVE lock (reads and writes go on) instead of the exclusive lock of ADD CONSTRAINT.

ALTER TABLE contacts
    ADD CONSTRAINT contacts_content_length CHECK (char_length(content) <= 4000) NOT VALID,
    ADD CONSTRAINT contacts_answer_length CHECK (char_length(answer) <= 4000) NOT VALID,
    ADD CONSTRAINT contacts_purpose_length CHECK (char_length(purpose) <= 500) NOT VALID,
    ADD CONSTRAINT contacts_reception_confirmed_by_length CHECK (char_length(reception_confirmed_by) <= 100) NOT VALID;

ALTER TABLE complaints
    ADD CONSTRAINT complaints_content_length CHECK (char_length(content) <= 4000) NOT VALID,
    ADD CONSTRAINT complaints_resolution_length CHECK (char_length(resolution) <= 4000) NOT VALID,
    ADD CONSTRAINT complaints_reply_length CHECK (char_length(reply) <= 4000) NOT VALID,
    ADD CONSTRAINT complaints_close_reason_length CHECK (char_length(close_reason) <= 500) NOT VALID,
    ADD CONSTRAINT complaints_contact_method_length CHECK (char_length(contact_method) <= 100) NOT VALID;

ALTER TABLE complaint_events
    ADD CONSTRAINT complaint_events_details_length CHECK (char_length(details) <= 8000) NOT VALID;

ALTER TABLE customers
    ADD CONSTRAINT customers_name_length CHECK (char_length(name) <= 100) NOT VALID,
    ADD CONSTRAINT customers_notes_length CHECK (char_length(notes) <= 1000) NOT VALID,
    ADD CONSTRAINT customers_membership_no_length CHECK (char_length(membership_no) <= 50) NOT VALID,
    ADD CONSTRAINT customers_membership_level_length CHECK (char_length(membership_level) <= 50) NOT VALID;

ALTER TABLE return_visit_attempts
    ADD CONSTRAINT return_visit_attempts_notes_length CHECK (char_length(notes) <= 500) NOT VALID;

ALTER TABLE return_visit_tasks
    ADD CONSTRAINT return_visit_tasks_customer_words_length CHECK (char_length(customer_words) <= 2000) NOT VALID;

ALTER TABLE emergencies
    ADD CONSTRAINT emergencies_location_length CHECK (char_length(location) <= 200) NOT VALID,
    ADD CONSTRAINT emergencies_description_length CHECK (char_length(description) <= 2000) NOT VALID;

ALTER TABLE users
    ADD CONSTRAINT users_user_name_length CHECK (char_length(user_name) <= 50) NOT VALID,
    ADD CONSTRAINT users_display_name_length CHECK (char_length(display_name) <= 100) NOT VALID;

ALTER TABLE departments
    ADD CONSTRAINT departments_name_length CHECK (char_length(name) <= 100) NOT VALID,
    ADD CONSTRAINT departments_name_en_length CHECK (char_length(name_en) <= 100) NOT VALID,
    ADD CONSTRAINT departments_code_length CHECK (char_length(code) <= 20) NOT VALID;

