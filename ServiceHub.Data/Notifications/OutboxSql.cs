using Dapper;
using Npgsql;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Notifications;

/// <summary>
/// Writing to the outbox inside the event's own transaction (eShop's IntegrationEventLog: the event row in the business transaction,
/// a worker publishes and marks it). Set-based: one <c>INSERT … SELECT</c> joins the new notifications or alerts with
/// <c>notification_routes</c> (each person's channels for the event kind), so an escalation sweep of thousands queues their messages
/// in the same statement. E-mail and SMS are one message per person; a robot gets one message per event and group, mentioning each
/// person it is for. Every message has an idempotency key derived from its event, so a repeated event queues nothing twice.
/// </summary>
public static class OutboxSql
{
    /// <summary>
    /// The source's columns, as a CTE named <c>src</c> must provide them: <c>personal_key</c> (unique per person and event),
    /// <c>group_key</c> (one per event, shared by its people), <c>user_id</c>, <c>event_kind</c>, <c>subject_type</c>, <c>subject_id</c>,
    /// <c>message_key</c>, <c>args</c>, <c>link</c>.
    /// </summary>
    public static string Enqueue(string src, string now) => $"""
        INSERT INTO outbox_messages (created_at, channel, event_kind, subject_type, subject_id, user_ids, endpoint_id, address, mentions,
                                     message_key, args, link, idempotency_key, next_attempt_at)
        SELECT {now}, r.channel, s.event_kind, s.subject_type, s.subject_id, ARRAY[s.user_id], NULL, r.address, ARRAY[]::text[],
               s.message_key, s.args, s.link, s.personal_key || ':' || r.channel, {now}
        FROM {src} s
        JOIN notification_routes r ON r.user_id = s.user_id AND r.event_kind = s.event_kind AND r.channel IN ('email','sms')
        UNION ALL
        SELECT {now}, 'robot', (array_agg(s.event_kind ORDER BY array_position(ARRAY['{string.Join("','", NotificationEvents.All)}'], s.event_kind)))[1],
               min(s.subject_type), min(s.subject_id), array_agg(DISTINCT s.user_id), r.robot_id, NULL,
               coalesce(array_agg(DISTINCT r.mobile) FILTER (WHERE r.mobile IS NOT NULL), ARRAY[]::text[]),
               min(s.message_key), min(s.args), min(s.link), s.group_key || ':robot:' || r.robot_id, {now}
        FROM {src} s
        JOIN notification_routes r ON r.user_id = s.user_id AND r.event_kind = s.event_kind AND r.channel = 'robot'
        GROUP BY s.group_key, r.robot_id
        ON CONFLICT (idempotency_key) DO NOTHING
        """;

    /// <summary>The event kind of an in-app notification's message key (<see cref="NotificationEvents.ByMessageKey"/>), null for none.</summary>
    public static string EventOfMessageKey(string column) =>
        "CASE " + column + string.Concat(NotificationEvents.ByMessageKey.Select(kv => $" WHEN '{kv.Key}' THEN '{kv.Value}'")) + " END";

    /// <summary>
    /// The outbox messages of the notifications a statement just inserted: <paramref name="notes"/> is a CTE returning the new rows'
    /// <c>id, user_id, complaint_id, message_key, args, link</c>. Appended to the statement's WITH list (leading comma included).
    /// </summary>
    public static string FromNotifications(string notes, string now) => $"""
        , outbox_src AS (
            SELECT 'nt:' || n.id AS personal_key,
                   'nt:' || min(n.id) OVER (PARTITION BY n.message_key, n.args, n.link) AS group_key,
                   n.user_id, {EventOfMessageKey("n.message_key")} AS event_kind,
                   CASE WHEN n.complaint_id IS NOT NULL THEN 'complaint' END AS subject_type, n.complaint_id AS subject_id,
                   n.message_key, n.args, n.link
            FROM {notes} n
            WHERE n.message_key IN ('{string.Join("','", NotificationEvents.ByMessageKey.Keys)}')
        ), outbox AS (
        {Enqueue("outbox_src", now)}
        )
        """;

    /// <summary>Resource key of an emergency message for an alert reason.</summary>
    public static string EmergencyMessageKey(string reason) => "Outbox.Emergency." + reason;

    private static readonly string ReminderKeys = $"'{EmergencyMessageKey(AlertReasons.Reminder60)}','{EmergencyMessageKey(AlertReasons.Reminder90)}'";

    /// <summary>
    /// The outbox messages of the emergency alerts a statement just inserted: <paramref name="alerts"/> is a CTE returning the new alerts,
    /// one per person: <c>id, user_id, reason, emergency_id</c> (sql/0260 stores them as one row per reason; the caller unnests it).
    /// The responsible department's manager gets "raised", the others "informed"; a reminder is not sent outside the app to a person
    /// who already acknowledged the emergency. Appended to the WITH list (leading comma included).
    /// </summary>
    public static string FromEmergencyAlerts(string alerts, string now) => $"""
        , outbox_emergency AS (
            -- What the messages of an emergency and reason share, made once (not once per person).
            SELECT k.emergency_id, k.reason, d.manager_user_id,
                   ARRAY[e.kind, coalesce(e.kind_detail, ''), p.name, coalesce(b.name, ''), e.location,
                         to_char(e.occurred_at AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM-DD HH24:MI'),
                         to_char(e.on_site_due_at AT TIME ZONE '{BusinessTime.ZoneId}', 'YYYY-MM-DD HH24:MI'),
                         d.name, d.name_en] AS args,
                   '/emergencies/' || k.emergency_id AS link
            FROM (SELECT DISTINCT emergency_id, reason FROM {alerts}) k
            JOIN emergencies e ON e.id = k.emergency_id
            JOIN projects p ON p.id = e.project_id
            LEFT JOIN buildings b ON b.id = e.building_id
            JOIN departments d ON d.id = e.responsible_department_id
        ), outbox_src AS (
            SELECT 'em:' || a.id AS personal_key, 'em:' || a.emergency_id || ':' || a.reason AS group_key, a.user_id,
                   CASE
                       WHEN a.reason = '{AlertReasons.Raised}' AND a.user_id = m.manager_user_id THEN '{NotificationEvents.EmergencyRaised}'
                       WHEN a.reason IN ('{AlertReasons.Raised}','{AlertReasons.Confirm}') THEN '{NotificationEvents.EmergencyInformed}'
                       WHEN a.reason IN ('{AlertReasons.Reminder60}','{AlertReasons.Reminder90}') THEN '{NotificationEvents.EmergencyReminder}'
                       WHEN a.reason = '{AlertReasons.Escalated}' THEN '{NotificationEvents.EmergencyEscalated}'
                   END AS event_kind,
                   'emergency' AS subject_type, a.emergency_id::bigint AS subject_id,
                   'Outbox.Emergency.' || a.reason AS message_key, m.args, m.link
            FROM {alerts} a
            JOIN outbox_emergency m ON m.emergency_id = a.emergency_id AND m.reason = a.reason
            WHERE NOT (a.reason IN ('{AlertReasons.Reminder60}','{AlertReasons.Reminder90}') AND EXISTS (
                SELECT 1 FROM emergency_alert_acks k WHERE k.emergency_id = a.emergency_id AND k.user_id = a.user_id))
        ), outbox AS (
        {Enqueue("outbox_src", now)}
        )
        """;

    /// <summary>
    /// A person acknowledged an emergency (in the app, by arriving on site, or by confirming it): their pending messages of it stop on
    /// every channel, and so do its robot reminders once everyone they mention has acknowledged. Returns how many were cancelled.
    /// </summary>
    public static Task<int> CancelAcknowledgedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int emergencyId, int userId, DateTimeOffset now,
        CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition($"""
            UPDATE outbox_messages m SET state = 'cancelled', cancelled_at = @now, cancel_reason = 'acknowledged'
            WHERE m.subject_type = 'emergency' AND m.subject_id = @emergencyId AND m.state = 'pending'
              AND ((m.channel <> 'robot' AND m.user_ids = ARRAY[@userId])
                   OR (m.channel = 'robot' AND m.message_key IN ({ReminderKeys})
                       AND m.user_ids <@ ARRAY(SELECT k.user_id FROM emergency_alert_acks k WHERE k.emergency_id = @emergencyId)))
            """, new { emergencyId, userId, now }, tx, cancellationToken: ct));

    /// <summary>
    /// The emergency needs no more follow-ups (the manager is on site; or it was judged not first-class, <paramref name="andEscalation"/>):
    /// its pending reminders (and escalation) stop on every channel.
    /// </summary>
    public static Task<int> CancelFollowUpsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int emergencyId, bool andEscalation, string reason,
        DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition($"""
            UPDATE outbox_messages m SET state = 'cancelled', cancelled_at = @now, cancel_reason = @reason
            WHERE m.subject_type = 'emergency' AND m.subject_id = @emergencyId AND m.state = 'pending'
              AND (m.message_key IN ({ReminderKeys}) OR (@andEscalation AND m.message_key = '{EmergencyMessageKey(AlertReasons.Escalated)}'))
            """, new { emergencyId, andEscalation, reason, now }, tx, cancellationToken: ct));

    /// <summary>
    /// Queues messages that are not a person's notification (an integration's webhook, a test): each once, by its idempotency key,
    /// inside the caller's transaction. Returns how many were new.
    /// </summary>
    public static Task<int> EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IEnumerable<OutboxDraft> drafts, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outbox_messages (created_at, channel, event_kind, subject_type, subject_id, user_ids, endpoint_id, address, mentions,
                                         message_key, args, link, payload, idempotency_key, next_attempt_at)
            VALUES (@now, @Channel, @EventKind, @SubjectType, @SubjectId, @UserIds, @EndpointId, @Address, @Mentions,
                    @MessageKey, @Args, @Link, @Payload::jsonb, @IdempotencyKey, @now)
            ON CONFLICT (idempotency_key) DO NOTHING
            """, drafts.Select(d => new
            {
                now, d.Channel, d.EventKind, d.SubjectType, d.SubjectId, UserIds = d.UserIds ?? [], d.EndpointId, d.Address,
                Mentions = d.Mentions ?? [], d.MessageKey, Args = d.Args ?? [], d.Link, d.Payload, d.IdempotencyKey,
            }), tx, cancellationToken: ct));
}

/// <summary>A message to queue directly (<see cref="OutboxSql.EnqueueAsync"/>); <see cref="Payload"/> is JSON (a webhook's body).</summary>
public sealed record OutboxDraft(
    string Channel, string EventKind, string IdempotencyKey, string MessageKey = "", string[]? Args = null, string Link = "",
    string? SubjectType = null, long? SubjectId = null, int[]? UserIds = null, int? EndpointId = null, string? Address = null,
    string[]? Mentions = null, string? Payload = null);
