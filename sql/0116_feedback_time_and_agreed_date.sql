-- Two deadlines that warn and mark a miss but do not escalate (DOMAIN.md §4 handling; issue #11 points 6 and 7).
--  * feedback: the earliest feedback time (最快反馈信息的时间) a handler who cannot resolve at once agrees with the owner.
--  * agreed: the new date the department manager agrees with the customer after the reply deadline was missed (an extension is
--    refused then): it is worked towards, but the missed reply deadline stays missed in every figure.
-- Their stage machine: pending → warned (the handler, at the configured share) → missed (the handler, at the time itself).

ALTER TABLE complaint_deadlines
    DROP CONSTRAINT complaint_deadlines_kind_check,
    ADD CONSTRAINT complaint_deadlines_kind_check CHECK (kind IN ('contact','reply','feedback','agreed')),
    DROP CONSTRAINT complaint_deadlines_stage_check,
    ADD CONSTRAINT complaint_deadlines_stage_check CHECK (stage IN ('pending','warned','level1','level2','missed')),
    ADD CONSTRAINT complaint_deadlines_missed_only_warns CHECK (stage <> 'missed' OR kind IN ('feedback','agreed')),
    ADD CONSTRAINT complaint_deadlines_levels_only_escalate CHECK (stage NOT IN ('level1','level2') OR kind IN ('contact','reply'));

ALTER TABLE complaints
    -- The earliest feedback time agreed with the owner, when it was agreed, and when the feedback was given.
    ADD COLUMN feedback_due_at      timestamptz,
    ADD COLUMN feedback_agreed_at   timestamptz,
    ADD COLUMN feedback_given_at    timestamptz,
    ADD CONSTRAINT complaints_feedback_agreed CHECK ((feedback_due_at IS NULL) = (feedback_agreed_at IS NULL)),
    ADD CONSTRAINT complaints_feedback_given_after_agreed CHECK (feedback_given_at IS NULL OR feedback_due_at IS NOT NULL),
    -- The new date agreed with the customer after the reply deadline was missed (reply_due_at and first_reply_due_at keep the missed one).
    ADD COLUMN agreed_reply_at      timestamptz;
