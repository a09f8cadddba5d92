-- Alerts that reach people away from their desk (issue #13 points 1-2): the channels besides the in-app notification
-- (e-mail, a department's WeCom or DingTalk group robot, SMS), each person's addresses and, per event kind, their choice of
-- channels over the administrator's defaults. Secrets (SMTP password, SMS access key secret, robot webhook addresses and signing
-- secrets) are stored encrypted by ASP.NET Core Data Protection; only a hint is kept readable.

-- The e-mail and SMS settings saved on the admin page (a channel set by environment variables ignores its row).
CREATE TABLE notification_channel_settings (
    channel             text PRIMARY KEY CHECK (channel IN ('email','sms')),
    settings            jsonb NOT NULL,
    secret_protected    text,
    updated_at          timestamptz NOT NULL,
    updated_by          text NOT NULL
);

-- Group robots: one or more per department (WeCom: webhook address with its key; DingTalk: webhook address with its access token,
-- and the signing secret). Robots named in the configuration are written here at start-up and cannot be edited on the page.
CREATE TABLE notification_robots (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
    kind                text NOT NULL CHECK (kind IN ('wecom','dingtalk')),
    department_id       integer REFERENCES departments(id),
    webhook_protected   text NOT NULL,
    webhook_hint        text NOT NULL CHECK (char_length(webhook_hint) <= 120),
    secret_protected    text,
    is_active           boolean NOT NULL DEFAULT true,
    from_configuration  boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL,
    updated_by          text NOT NULL
);
CREATE INDEX notification_robots_department ON notification_robots (department_id) WHERE is_active;

-- Where a person is reached: e-mail, mobile (private data: masked in lists), and the robot whose group they read (null: the first
-- active robot of their department).
CREATE TABLE user_notification_contacts (
    user_id     integer PRIMARY KEY REFERENCES users(id),
    email       text CHECK (char_length(email) <= 200 AND email LIKE '%_@_%'),
    mobile      text CHECK (mobile ~ '^1[3-9][0-9]{9}$'),
    robot_id    integer REFERENCES notification_robots(id) ON DELETE SET NULL,
    updated_at  timestamptz NOT NULL
);

-- The events that may reach people outside the app, and the channels of each. The in-app notification (or emergency alert) is always
-- written: these rows govern the other channels only.
CREATE TABLE notification_defaults (
    event_kind  text NOT NULL CHECK (event_kind IN ('emergency_raised','emergency_informed','emergency_reminder','emergency_escalated',
                                                    'complaint_escalated','handover_to_me','return_visit_due')),
    channel     text NOT NULL CHECK (channel IN ('email','robot','sms')),
    enabled     boolean NOT NULL,
    PRIMARY KEY (event_kind, channel)
);
INSERT INTO notification_defaults (event_kind, channel, enabled) VALUES
    ('emergency_raised',    'email', false), ('emergency_raised',    'robot', true),  ('emergency_raised',    'sms', true),
    ('emergency_informed',  'email', false), ('emergency_informed',  'robot', true),  ('emergency_informed',  'sms', false),
    ('emergency_reminder',  'email', false), ('emergency_reminder',  'robot', true),  ('emergency_reminder',  'sms', true),
    ('emergency_escalated', 'email', true),  ('emergency_escalated', 'robot', true),  ('emergency_escalated', 'sms', true),
    ('complaint_escalated', 'email', true),  ('complaint_escalated', 'robot', false), ('complaint_escalated', 'sms', false),
    ('handover_to_me',      'email', true),  ('handover_to_me',      'robot', false), ('handover_to_me',      'sms', false),
    ('return_visit_due',    'email', false), ('return_visit_due',    'robot', false), ('return_visit_due',    'sms', false);

-- A person's own choice for an event kind and channel, over the default.
CREATE TABLE notification_choices (
    user_id     integer NOT NULL REFERENCES users(id),
    event_kind  text NOT NULL,
    channel     text NOT NULL,
    enabled     boolean NOT NULL,
    PRIMARY KEY (user_id, event_kind, channel),
    FOREIGN KEY (event_kind, channel) REFERENCES notification_defaults (event_kind, channel)
);

-- Who gets what, resolved: one row per active person, event kind and channel they receive it on, with the address (e-mail or mobile)
-- or the robot. A channel without an address (no e-mail, no mobile, no active robot) has no row: nothing is queued for it.
CREATE VIEW notification_routes AS
SELECT u.id AS user_id, d.event_kind, d.channel,
       CASE d.channel WHEN 'email' THEN c.email WHEN 'sms' THEN c.mobile END AS address,
       CASE WHEN d.channel = 'robot' THEN r.id END AS robot_id,
       c.mobile
FROM users u
CROSS JOIN notification_defaults d
LEFT JOIN notification_choices ch ON ch.user_id = u.id AND ch.event_kind = d.event_kind AND ch.channel = d.channel
LEFT JOIN user_notification_contacts c ON c.user_id = u.id
LEFT JOIN LATERAL (
    SELECT x.id FROM notification_robots x
    WHERE d.channel = 'robot' AND x.is_active
      AND (x.id = c.robot_id OR (c.robot_id IS NULL AND x.department_id = u.department_id))
    ORDER BY x.id LIMIT 1
) r ON true
WHERE u.is_active AND coalesce(ch.enabled, d.enabled)
  AND CASE d.channel WHEN 'email' THEN c.email IS NOT NULL WHEN 'sms' THEN c.mobile IS NOT NULL ELSE r.id IS NOT NULL END;
