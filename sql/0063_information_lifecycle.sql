-- Information register, part 2 (DOMAIN.md §2, issue #8).
--
-- 1. The kinds match the manual's list of seventeen (信息管理 chapter: 公司对外发布 … 第三方维修). 0062 seeded 19 rows because it
--    took the classes' "applies to" lines literally: "flow between departments" (公司内部部门之间信息流转) is named there but is not one
--    of the seventeen kinds — it is the formal-document flow (正式文件, table formal_documents below) — and "customer events" is one
--    kind listed under two classes (customer-to-company and commercial), not two kinds.
ALTER TABLE info_kinds ADD COLUMN also_class text
    CHECK (also_class IS NULL OR also_class IN ('company','customer_private','customer_to_company','commercial','product'));
-- Nothing disappears: records of the two retired rows move to the kind they belong to.
UPDATE info_records SET kind = 'customer_events' WHERE kind = 'commercial_events';
UPDATE info_records SET kind = 'internal_release' WHERE kind = 'department_flow';
DELETE FROM info_kinds WHERE code IN ('commercial_events', 'department_flow');
UPDATE info_kinds SET also_class = 'commercial', reader_roles = ARRAY['cs_supervisor','leadership','dept_manager','admin'] WHERE code = 'customer_events';
UPDATE info_kinds k SET name = v.name, sort_order = v.sort_order
FROM (VALUES
    ('external_release',       '公司对外发布信息', 1),
    ('internal_release',       '公司对内（对客服部）发布信息', 2),
    ('personal_info',          '客户个人信息', 3),
    ('membership_info',        '客户会籍信息', 4),
    ('complaints',             '客户投诉信息', 5),
    ('questions',              '客户问题信息', 6),
    ('return_visits',          '客户回访信息', 7),
    ('compensation',           '客户补偿信息', 8),
    ('customer_events',        '客户活动信息', 9),
    ('communication_meetings', '客户沟通会议信息', 10),
    ('hotline_reception',      '服务热线及客户接待信息', 11),
    ('business_alliance',      '商业联盟信息', 12),
    ('product_acceptance',     '产品验收信息', 13),
    ('product_quality',        '产品质量信息', 14),
    ('handover_repairs',       '产品集中交付期的维修信息', 15),
    ('case_collection',        '案例收集汇编信息', 16),
    ('third_party_repairs',    '第三方维修信息', 17)) AS v(code, name, sort_order)
WHERE k.code = v.code;
UPDATE info_kinds SET name_en = 'Customer questions' WHERE code = 'questions';

-- 2. Records of other modules are filed automatically (by the filing sweep, not inside intake): one register row per source row.
--    filed_by / stored_by NULL = done by the system.
ALTER TABLE info_records ALTER COLUMN filed_by DROP NOT NULL;
ALTER TABLE info_records
    ADD COLUMN source_type text CHECK (source_type IN ('complaint','contact','return_visit','emergency','release')),
    ADD COLUMN source_id bigint,
    ADD COLUMN destroy_rejected_reason text,
    ADD CONSTRAINT info_records_source_pair CHECK ((source_type IS NULL) = (source_id IS NULL));
CREATE UNIQUE INDEX info_records_source_uq ON info_records (source_type, source_id) WHERE source_type IS NOT NULL;
-- 3. The retention sweep reads only the stored records whose retention has ended.
CREATE INDEX info_records_retention_idx ON info_records (retain_until) WHERE state = 'stored';
CREATE INDEX info_records_pending_idx ON info_records (destroy_requested_at) WHERE state = 'destroy_requested';

-- 5. Releases (信息发布): internal or external, approved by someone other than the author, then published with a record of
--    who, when and where.
CREATE TABLE info_releases (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope           text NOT NULL CHECK (scope IN ('internal','external')),
    title           text NOT NULL,
    body            text NOT NULL,
    state           text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','approved','published','rejected')),
    author_id       integer NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL,
    approver_id     integer REFERENCES users(id),
    decided_at      timestamptz,
    rejected_reason text,
    channel         text,
    published_by    integer REFERENCES users(id),
    published_at    timestamptz,
    CONSTRAINT info_releases_four_eyes CHECK (approver_id IS NULL OR approver_id <> author_id),
    CONSTRAINT info_releases_approved CHECK (state = 'draft' OR (approver_id IS NOT NULL AND decided_at IS NOT NULL)),
    CONSTRAINT info_releases_rejected CHECK (state <> 'rejected' OR coalesce(rejected_reason, '') <> ''),
    CONSTRAINT info_releases_published CHECK (state <> 'published' OR (coalesce(channel, '') <> '' AND published_by IS NOT NULL AND published_at IS NOT NULL))
);
CREATE INDEX info_releases_created_idx ON info_releases (created_at DESC);

-- 6. Formal documents (正式文件): a department sends, the Enterprise Development Dept's document administrator forwards them to
--    the leaders or departments concerned; every forward is recorded.
ALTER TABLE users ADD COLUMN is_document_admin boolean NOT NULL DEFAULT false;
CREATE TABLE formal_documents (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department_id   integer NOT NULL REFERENCES departments(id),
    title           text NOT NULL,
    body            text NOT NULL,
    sent_by         integer NOT NULL REFERENCES users(id),
    sent_at         timestamptz NOT NULL
);
CREATE INDEX formal_documents_sent_idx ON formal_documents (sent_at DESC);
CREATE TABLE formal_document_forwards (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id         integer NOT NULL REFERENCES formal_documents(id),
    to_user_id          integer REFERENCES users(id),
    to_department_id    integer REFERENCES departments(id),
    forwarded_by        integer NOT NULL REFERENCES users(id),
    forwarded_at        timestamptz NOT NULL,
    note                text NOT NULL DEFAULT '',
    CONSTRAINT formal_document_forwards_one_recipient CHECK (num_nonnulls(to_user_id, to_department_id) = 1)
);
CREATE UNIQUE INDEX formal_document_forwards_user_uq ON formal_document_forwards (document_id, to_user_id) WHERE to_user_id IS NOT NULL;
CREATE UNIQUE INDEX formal_document_forwards_dept_uq ON formal_document_forwards (document_id, to_department_id) WHERE to_department_id IS NOT NULL;
CREATE INDEX formal_document_forwards_user_idx ON formal_document_forwards (to_user_id) WHERE to_user_id IS NOT NULL;
CREATE INDEX formal_document_forwards_dept_idx ON formal_document_forwards (to_department_id) WHERE to_department_id IS NOT NULL;
UPDATE users SET is_document_admin = true WHERE user_name = 'docadmin';
