-- Issue #12 point 14, the two user-entered text columns 0135 and 0160 left without a limit in the database: a standard or forbidden
-- phrase (the CS supervisor's phrases page; ServicePhrases.MaxLength, 200) and a staff member's phone (the user dialog;
-- PhoneNumbers.TextMax, 20). Found by TextLimitSchemaTests, which reads every text column of the schema. As in 0135/0136: added
-- NOT VALID here and validated by 0231 in its own transaction.
ALTER TABLE service_phrases
    ADD CONSTRAINT service_phrases_text_length CHECK (char_length(text) <= 200) NOT VALID;

ALTER TABLE users
    ADD CONSTRAINT users_phone_length CHECK (char_length(phone) <= 20) NOT VALID;
