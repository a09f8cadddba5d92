-- Information register (DOMAIN.md §2): the five classes and their kinds, each with an owner department, its readers and a
-- retention period; every record is filed (建档), stored (存档) and, when its retention ends, destroyed (销档) with an approval,
-- leaving a tombstone without the content or private data.
CREATE TABLE info_kinds (
    code                    text PRIMARY KEY,
    class                   text NOT NULL CHECK (class IN ('company','customer_private','customer_to_company','commercial','product')),
    name                    text NOT NULL,
    name_en                 text NOT NULL,
    owner_department_code   text NOT NULL,
    reader_roles            text[] NOT NULL,
    retention_months        integer NOT NULL CHECK (retention_months > 0),
    sort_order              integer NOT NULL
);
INSERT INTO info_kinds (code, class, name, name_en, owner_department_code, reader_roles, retention_months, sort_order) VALUES
    ('external_release',     'company', '对外发布信息', 'External releases', 'ED', ARRAY['leadership','cs_supervisor','admin'], 60, 1),
    ('internal_release',     'company', '对内发布信息（客服部）', 'Internal releases (CS dept)', 'ED', ARRAY['leadership','cs_supervisor','agent','admin'], 36, 2),
    ('department_flow',      'company', '部门间流转信息', 'Flow between departments', 'ED', ARRAY['leadership','dept_manager','admin'], 36, 3),
    ('personal_info',        'customer_private', '客户个人信息', 'Customer personal information', 'CS', ARRAY['cs_supervisor','admin'], 120, 4),
    ('membership_info',      'customer_private', '会籍信息', 'Membership information', 'CS', ARRAY['cs_supervisor','admin'], 120, 5),
    ('complaints',           'customer_to_company', '投诉', 'Complaints', 'CS', ARRAY['cs_supervisor','leadership','hr','admin'], 60, 6),
    ('questions',            'customer_to_company', '咨询与查询', 'Questions', 'CS', ARRAY['cs_supervisor','agent','admin'], 36, 7),
    ('return_visits',        'customer_to_company', '回访', 'Return visits', 'CS', ARRAY['cs_supervisor','return_visit','admin'], 60, 8),
    ('compensation',         'customer_to_company', '补偿', 'Compensation', 'CS', ARRAY['cs_supervisor','leadership','admin'], 120, 9),
    ('customer_events',      'customer_to_company', '客户活动', 'Customer events', 'CS', ARRAY['cs_supervisor','leadership','admin'], 36, 10),
    ('communication_meetings','customer_to_company', '沟通会议', 'Communication meetings', 'CS', ARRAY['cs_supervisor','leadership','admin'], 60, 11),
    ('hotline_reception',    'customer_to_company', '热线与接待', 'Hotline and reception', 'CS', ARRAY['cs_supervisor','agent','admin'], 36, 12),
    ('business_alliance',    'commercial', '商业联盟', 'Business alliance', 'MKT', ARRAY['leadership','dept_manager','admin'], 60, 13),
    ('commercial_events',    'commercial', '商业客户活动', 'Commercial customer events', 'MKT', ARRAY['leadership','dept_manager','admin'], 36, 14),
    ('product_acceptance',   'product', '产品验收', 'Product acceptance', 'ENG', ARRAY['leadership','dept_manager','handler','admin'], 120, 15),
    ('product_quality',      'product', '产品质量', 'Product quality', 'ENG', ARRAY['leadership','dept_manager','handler','admin'], 120, 16),
    ('handover_repairs',     'product', '集中交付期维修', 'Repairs in the hand-over period', 'ENG', ARRAY['leadership','dept_manager','handler','admin'], 60, 17),
    ('case_collection',      'product', '案例汇编', 'Case collection', 'ENG', ARRAY['leadership','dept_manager','cs_supervisor','admin'], 120, 18),
    ('third_party_repairs',  'product', '第三方维修', 'Third-party repairs', 'ENG', ARRAY['leadership','dept_manager','handler','admin'], 60, 19);

CREATE TABLE info_records (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                    text NOT NULL REFERENCES info_kinds(code),
    title                   text NOT NULL,
    body                    text,
    private_data            text,
    customer_id             integer REFERENCES customers(id),
    state                   text NOT NULL DEFAULT 'filed' CHECK (state IN ('filed','stored','destroy_requested','destroyed')),
    filed_by                integer NOT NULL REFERENCES users(id),
    filed_at                timestamptz NOT NULL,
    stored_by               integer REFERENCES users(id),
    stored_at               timestamptz,
    retain_until            timestamptz,
    destroy_reason          text,
    destroy_requested_by    integer REFERENCES users(id),
    destroy_requested_at    timestamptz,
    destroy_approved_by     integer REFERENCES users(id),
    destroyed_at            timestamptz,
    -- A tombstone keeps what, when, by whom and why — never the content or the private data.
    CONSTRAINT info_records_tombstone CHECK (state <> 'destroyed' OR (body IS NULL AND private_data IS NULL AND customer_id IS NULL
        AND destroy_reason IS NOT NULL AND destroy_approved_by IS NOT NULL AND destroyed_at IS NOT NULL))
);
CREATE INDEX info_records_kind_idx ON info_records (kind, filed_at DESC);
