-- Issue #12 point 14, the rest of the forms: every free-text column still without a length limit gets one in the database too, a
-- backstop behind the Data layer's field messages (TextInput.Check → Validation.TooLong). The limits are the Data layer's constants
-- (named beside each table). Columns written only by the system (audit log, event actor names, outbox bookkeeping, register titles of
-- the filing job, analysis figures) and the protected (encrypted) channel settings are left as they are. As in 0135/0136: added
-- NOT VALID here and validated by 0161 in its own transaction, so the scan of existing rows blocks no reads or writes.

-- Information register, releases, formal documents (InfoRecord, InfoRelease, FormalDocument, DocumentForward).
ALTER TABLE info_records
    ADD CONSTRAINT info_records_title_length CHECK (char_length(title) <= 200) NOT VALID,
    ADD CONSTRAINT info_records_body_length CHECK (char_length(body) <= 4000) NOT VALID,
    ADD CONSTRAINT info_records_private_data_length CHECK (char_length(private_data) <= 1000) NOT VALID,
    ADD CONSTRAINT info_records_destroy_reason_length CHECK (char_length(destroy_reason) <= 500) NOT VALID,
    ADD CONSTRAINT info_records_destroy_rejected_reason_length CHECK (char_length(destroy_rejected_reason) <= 500) NOT VALID;

ALTER TABLE info_releases
    ADD CONSTRAINT info_releases_title_length CHECK (char_length(title) <= 200) NOT VALID,
    ADD CONSTRAINT info_releases_body_length CHECK (char_length(body) <= 4000) NOT VALID,
    ADD CONSTRAINT info_releases_rejected_reason_length CHECK (char_length(rejected_reason) <= 500) NOT VALID,
    ADD CONSTRAINT info_releases_channel_length CHECK (char_length(channel) <= 100) NOT VALID;

ALTER TABLE formal_documents
    ADD CONSTRAINT formal_documents_title_length CHECK (char_length(title) <= 200) NOT VALID,
    ADD CONSTRAINT formal_documents_body_length CHECK (char_length(body) <= 4000) NOT VALID;

ALTER TABLE formal_document_forwards
    ADD CONSTRAINT formal_document_forwards_note_length CHECK (char_length(note) <= 500) NOT VALID;

-- Spot checks and penalties (Penalty.NoteMax).
ALTER TABLE penalties
    ADD CONSTRAINT penalties_note_length CHECK (char_length(note) <= 500) NOT VALID,
    ADD CONSTRAINT penalties_contest_note_length CHECK (char_length(contest_note) <= 500) NOT VALID;

-- Hot-complaint reports (HotReport.PartMax), standard replies (StandardReplyDraft), counting (CountingRepository, RootCause).
ALTER TABLE hot_complaints
    ADD CONSTRAINT hot_complaints_content_length CHECK (char_length(content) <= 4000) NOT VALID,
    ADD CONSTRAINT hot_complaints_cause_analysis_length CHECK (char_length(cause_analysis) <= 4000) NOT VALID,
    ADD CONSTRAINT hot_complaints_current_status_length CHECK (char_length(current_status) <= 4000) NOT VALID,
    ADD CONSTRAINT hot_complaints_difficulties_length CHECK (char_length(difficulties) <= 4000) NOT VALID,
    ADD CONSTRAINT hot_complaints_help_needed_length CHECK (char_length(help_needed) <= 4000) NOT VALID;

ALTER TABLE standard_replies
    ADD CONSTRAINT standard_replies_matter_length CHECK (char_length(matter) <= 500) NOT VALID,
    ADD CONSTRAINT standard_replies_reply_length CHECK (char_length(reply) <= 4000) NOT VALID,
    ADD CONSTRAINT standard_replies_decision_note_length CHECK (char_length(decision_note) <= 500) NOT VALID;

ALTER TABLE standard_reply_uses
    ADD CONSTRAINT standard_reply_uses_opinion_note_length CHECK (char_length(opinion_note) <= 500) NOT VALID;

ALTER TABLE complaints
    ADD CONSTRAINT complaints_count_reason_length CHECK (char_length(count_reason) <= 500) NOT VALID,
    ADD CONSTRAINT complaints_impact_length CHECK (char_length(impact) <= 1000) NOT VALID,
    ADD CONSTRAINT complaints_offline_impact_length CHECK (char_length(offline_impact) <= 1000) NOT VALID,
    ADD CONSTRAINT complaints_post_url_length CHECK (char_length(post_url) <= 500) NOT VALID;

ALTER TABLE root_causes
    ADD CONSTRAINT root_causes_name_length CHECK (char_length(name) <= 100) NOT VALID,
    ADD CONSTRAINT root_causes_name_en_length CHECK (char_length(name_en) <= 100) NOT VALID,
    ADD CONSTRAINT root_causes_definition_length CHECK (char_length(definition) <= 1000) NOT VALID;

-- Return-visit analyses and plans (ReturnVisitAnalysisRepository).
ALTER TABLE return_visit_analyses
    ADD CONSTRAINT return_visit_analyses_analysis_length CHECK (char_length(analysis) <= 4000) NOT VALID;

ALTER TABLE return_visit_plans
    ADD CONSTRAINT return_visit_plans_final_opinion_length CHECK (char_length(final_opinion) <= 4000) NOT VALID,
    ADD CONSTRAINT return_visit_plans_decided_plan_length CHECK (char_length(decided_plan) <= 4000) NOT VALID;

ALTER TABLE return_visit_plan_actions
    ADD CONSTRAINT return_visit_plan_actions_description_length CHECK (char_length(description) <= 500) NOT VALID;

-- Emergencies: the findings on site and the supervisor's confirmation note (EmergencyRules); an event's details hold at most such a note.
ALTER TABLE emergencies
    ADD CONSTRAINT emergencies_cause_length CHECK (char_length(cause) <= 1000) NOT VALID,
    ADD CONSTRAINT emergencies_scope_length CHECK (char_length(scope) <= 1000) NOT VALID,
    ADD CONSTRAINT emergencies_response_length CHECK (char_length(response) <= 1000) NOT VALID,
    ADD CONSTRAINT emergencies_confirmation_note_length CHECK (char_length(confirmation_note) <= 500) NOT VALID;

ALTER TABLE emergency_events
    ADD CONSTRAINT emergency_events_details_length CHECK (char_length(details) <= 8000) NOT VALID;

-- Information assessment and the reporting calendar (RuleEdit, GradeBandEdit, ManualDeductionForm, ReportItem).
ALTER TABLE assessment_rules
    ADD CONSTRAINT assessment_rules_name_length CHECK (char_length(name) <= 100) NOT VALID,
    ADD CONSTRAINT assessment_rules_name_en_length CHECK (char_length(name_en) <= 100) NOT VALID;

ALTER TABLE assessment_grade_bands
    ADD CONSTRAINT assessment_grade_bands_grade_length CHECK (char_length(grade) <= 20) NOT VALID;

ALTER TABLE assessment_manual_deductions
    ADD CONSTRAINT assessment_manual_deductions_note_length CHECK (char_length(note) <= 500) NOT VALID;

ALTER TABLE report_items
    ADD CONSTRAINT report_items_title_length CHECK (char_length(title) <= 200) NOT VALID,
    ADD CONSTRAINT report_items_content_length CHECK (char_length(content) <= 4000) NOT VALID,
    ADD CONSTRAINT report_items_attachment_note_length CHECK (char_length(attachment_note) <= 500) NOT VALID;

-- Projects, buildings, units (ProjectEdit, Building, Unit) and the business calendar (CalendarImport.MaxNameLength).
ALTER TABLE projects
    ADD CONSTRAINT projects_code_length CHECK (char_length(code) <= 20) NOT VALID,
    ADD CONSTRAINT projects_name_length CHECK (char_length(name) <= 100) NOT VALID,
    ADD CONSTRAINT projects_address_length CHECK (char_length(address) <= 200) NOT VALID;

ALTER TABLE buildings
    ADD CONSTRAINT buildings_name_length CHECK (char_length(name) <= 50) NOT VALID;

ALTER TABLE units
    ADD CONSTRAINT units_number_length CHECK (char_length(number) <= 20) NOT VALID;

ALTER TABLE calendar_days
    ADD CONSTRAINT calendar_days_name_length CHECK (char_length(name) <= 50) NOT VALID;
