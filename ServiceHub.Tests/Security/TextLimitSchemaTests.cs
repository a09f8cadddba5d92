using Dapper;
using Npgsql;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Security;

/// <summary>
/// Every free-text column has a length limit in the database (issue #12 point 14), read from the migrated schema itself: a text column
/// is bounded by a CHECK on its length, a list of allowed values, a pattern or a foreign key, or is named below with the reason it
/// needs none — so a new migration's text column without a limit fails here.
/// </summary>
public sealed class TextLimitSchemaTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    /// <summary>Text columns without a limit in the database, and why none is needed.</summary>
    private static readonly Dictionary<string, string> Unbounded = new()
    {
        // Written by the system only: the audit log, event bookkeeping, numbers, counters, copies kept by triggers.
        ["audit_log.action"] = "system: the action's code", ["audit_log.details"] = "system: built by the Data layer from bounded inputs",
        ["audit_log.entity"] = "system", ["audit_log.entity_id"] = "system", ["audit_log.ip"] = "system: the client address",
        ["audit_log.user_name"] = "system: cut to the user name's length (SignInService)",
        ["annual_reports.produced_by_name"] = "system: the actor's display name (bounded in users)",
        ["complaint_events.actor_name"] = "system: the actor's display name (bounded in users)",
        ["complaint_events.dedupe_key"] = "system", ["complaint_events.kind"] = "system: the event's code",
        ["complaint_texts.content"] = "a trigger's copy of complaints.content (bounded there)",
        ["complaints.channel"] = "copied from contacts.channel (a list of values there)",
        ["complaint_states.channel"] = "a trigger's copy of complaints.channel",
        ["complaints.sheet_no"] = "system: FormNumbering", ["contacts.reception_no"] = "system: FormNumbering",
        ["contacts.register_no"] = "system: FormNumbering", ["contacts.sheet_no"] = "system: FormNumbering",
        ["form_counters.form_type"] = "system: FormNumbering's counter names",
        ["kpi_complaint_facts.channel"] = "the KPI rollup's triggers", ["kpi_complaint_rollup.channel"] = "the KPI rollup's triggers",
        ["return_visit_analyses.top_reasons"] = "system: the analysis figures",
        ["return_visit_attempts.by_name"] = "system: the actor's display name (bounded in users)",
        ["spot_check_items.period"] = "system: the draw's month",
        ["job_failures.hangfire_job_id"] = "the job server",
        ["schema_script_hashes.script_name"] = "the migrator", ["schema_script_hashes.sha256"] = "the migrator",
        ["data_protection_keys.friendly_name"] = "ASP.NET Core data protection", ["data_protection_keys.xml"] = "ASP.NET Core data protection",
        ["info_kinds.code"] = "reference data written by migrations", ["info_kinds.name"] = "reference data written by migrations",
        ["info_kinds.name_en"] = "reference data written by migrations", ["info_kinds.owner_department_code"] = "reference data written by migrations",
        ["notifications.dedupe_key"] = "system", ["notifications.kind"] = "system", ["notifications.link"] = "system: a path the Data layer builds",
        ["notifications.message_key"] = "system: a resource key",
        ["department_notifications.dedupe_key"] = "system", ["department_notifications.kind"] = "system",
        ["department_notifications.link"] = "system: a path the Data layer builds", ["department_notifications.message_key"] = "system: a resource key",
        ["notification_rosters.role"] = "system: the role the escalation sweep reaches (Roles.Handler)",
        ["outbox_attempts.error"] = "the delivery job: a provider's answer", ["outbox_attempts.provider_reference"] = "the delivery job",
        ["outbox_messages.cancel_reason"] = "system", ["outbox_messages.last_error"] = "the delivery job: a provider's answer",
        ["outbox_messages.link"] = "system", ["outbox_messages.message_key"] = "system: a resource key",
        ["outbox_messages.provider_reference"] = "the delivery job", ["outbox_messages.retried_by"] = "system: the actor's name",
        ["notification_channel_settings.updated_by"] = "system: the actor's name", ["notification_robots.updated_by"] = "system: the actor's name",
        // Secrets and hashes: their length is the cipher's or the hash's, not the user's.
        ["notification_channel_settings.secret_protected"] = "encrypted (Data Protection)", ["notification_robots.secret_protected"] = "encrypted (Data Protection)",
        ["notification_robots.webhook_protected"] = "encrypted (Data Protection)", ["webhook_subscriptions.secret_protected"] = "encrypted (Data Protection)",
        ["users.password_hash"] = "PasswordHasher's hash (the password is bounded at the field: PasswordPolicy.MaxLength)",
    };

    /// <summary>Text columns of the app's tables that no CHECK, type length or foreign key bounds.</summary>
    private const string UnboundedColumnsSql = """
        SELECT r.relname || '.' || a.attname
        FROM pg_attribute a
        JOIN pg_class r ON r.oid = a.attrelid AND r.relkind IN ('r', 'p')
        JOIN pg_namespace n ON n.oid = r.relnamespace AND n.nspname = 'public'
        WHERE a.attnum > 0 AND NOT a.attisdropped AND a.atttypid IN ('text'::regtype, 'varchar'::regtype) AND a.atttypmod < 0
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint k
            WHERE k.conrelid = r.oid AND a.attnum = ANY (k.conkey)
              AND (k.contype = 'f'
                   OR k.contype = 'c' AND (
                        pg_get_constraintdef(k.oid) ~ ('(char_length|length|octet_length)\(([a-z_]+\()?\(?' || quote_ident(a.attname) || '\M')
                     OR pg_get_constraintdef(k.oid) ~ ('\(\(?' || quote_ident(a.attname) || '\)? = ANY \(ARRAY\[')
                     OR pg_get_constraintdef(k.oid) ~ ('\(\(?' || quote_ident(a.attname) || '\)? = ''')
                     OR pg_get_constraintdef(k.oid) ~ ('\(\(?' || quote_ident(a.attname) || '\)? ~ ''\^'))))
        ORDER BY 1
        """;

    private async Task<List<string>> UnboundedColumnsAsync()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        return (await conn.QueryAsync<string>(UnboundedColumnsSql)).AsList();
    }

    [Fact]
    public async Task Every_text_column_has_a_length_limit_in_the_database_or_says_why_not()
    {
        var missing = (await UnboundedColumnsAsync()).Where(c => !Unbounded.ContainsKey(c)).ToList();
        Assert.True(missing.Count == 0, "Text columns without a length limit in the database (add a CHECK (char_length(…) <= N) in a new migration):\n"
            + string.Join("\n", missing));
    }

    [Fact]
    public async Task The_list_of_unbounded_columns_names_only_columns_without_a_limit()
    {
        var unbounded = (await UnboundedColumnsAsync()).ToHashSet();
        var stale = Unbounded.Keys.Where(k => !unbounded.Contains(k)).ToList();
        Assert.True(stale.Count == 0, "Named as unbounded but limited (or gone): " + string.Join(", ", stale));
    }
}
