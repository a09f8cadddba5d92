using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Data.Emergencies;

/// <summary>
/// First-class emergencies (DOMAIN.md §7): the report and its alerts saved in one transaction, then pushed; acknowledgement,
/// arrival on site and the findings (two actions), the reminders and escalation of the two-hour limit counted from the occurrence —
/// each once, whoever runs them how often — and the CS supervisor's decision on an "other" event.
/// </summary>
public sealed class EmergencyRepository(
    NpgsqlDataSource db, AuditLog audit, TimeProvider clock, IEmergencyNotifier notifier, IEmergencyScheduler scheduler,
    ILogger<EmergencyRepository> log)
{
    // In the order of AlertMessage's (and AlertBatchRow's) parameters, which Dapper matches by position and name.
    private const string EmergencyColumns = """
        e.id AS emergency_id, e.kind, e.kind_detail, p.name AS project_name, b.name AS building_name, e.location, e.description,
        d.name AS department_name, d.name_en AS department_name_en, e.occurred_at, e.reported_at, e.on_site_due_at
        """;

    private const string EmergencyJoins = """
        JOIN emergencies e ON e.id = x.emergency_id
        JOIN projects p ON p.id = e.project_id
        LEFT JOIN buildings b ON b.id = e.building_id
        JOIN departments d ON d.id = e.responsible_department_id
        """;

    // The people alerted when an emergency is raised: the responsible department's manager, its supervising
    // vice-president, and the company leadership; for an "other" event also the CS supervisors, to confirm it.
    // Decided here, on the server, from the organisation tables. One row per reason names them all, in order (sql/0260).
    private const string InsertRaisedAlerts = """
        INSERT INTO emergency_alert_batches (emergency_id, reason, created_at, user_ids)
        SELECT @Id, r.reason, @Now, r.user_ids
        FROM (
            SELECT 'raised' AS reason, array_agg(u.id ORDER BY u.id) AS user_ids
            FROM users u
            WHERE u.is_active
              AND (u.id = (SELECT manager_user_id FROM departments WHERE id = @DepartmentId)
                   OR u.id = (SELECT supervising_vp_id FROM departments WHERE id = @DepartmentId)
                   OR 'leadership' = ANY (u.roles))
            UNION ALL
            SELECT 'confirm', array_agg(u.id ORDER BY u.id)
            FROM users u
            WHERE u.is_active AND @Kind = 'other' AND 'cs_supervisor' = ANY (u.roles)
        ) r
        WHERE r.user_ids IS NOT NULL
        ON CONFLICT DO NOTHING
        RETURNING id, emergency_id, reason, created_at, user_ids
        """;

    // A reminder goes to the manager; the escalation to the supervising vice-president and leadership.
    private const string InsertFollowUpAlerts = """
        INSERT INTO emergency_alert_batches (emergency_id, reason, created_at, user_ids)
        SELECT e.id, @Step, @Now, array_agg(u.id ORDER BY u.id)
        FROM emergencies e
        JOIN departments d ON d.id = e.responsible_department_id
        JOIN users u ON u.is_active AND (
            (@Step <> 'escalated' AND u.id = d.manager_user_id)
            OR (@Step = 'escalated' AND (u.id = d.supervising_vp_id OR 'leadership' = ANY (u.roles))))
        WHERE e.id = @Id
        GROUP BY e.id
        ON CONFLICT DO NOTHING
        RETURNING id, emergency_id, reason, created_at, user_ids
        """;

    /// <summary>
    /// The alert rows an INSERT … RETURNING just wrote (one per reason, naming its people), with the emergency, in one round trip;
    /// their messages to the other channels (e-mail, robot, SMS, per each person's choice) are queued in the outbox by the same
    /// statement. <see cref="AlertBatchRow.Messages"/> makes each person's own alert of them.
    /// </summary>
    private static string WithMessages(string insert) => $"""
        WITH x AS ({insert}),
        a AS (
            SELECT x.id * {AlertIds.PerBatch} + o.n AS id, o.user_id, x.reason, x.emergency_id
            FROM x CROSS JOIN LATERAL unnest(x.user_ids) WITH ORDINALITY o(user_id, n)
        ){OutboxSql.FromEmergencyAlerts("a", "@Now")}
        SELECT x.id AS batch_id, x.user_ids, x.reason, x.created_at, {EmergencyColumns}
        FROM x
        {EmergencyJoins}
        ORDER BY x.id
        """;

    private static readonly string RaiseSql = WithMessages(InsertRaisedAlerts);
    private static readonly string FollowUpSql = WithMessages(InsertFollowUpAlerts);

    /// <summary>Every unacknowledged alert of the people, oldest first (found through the people's index on the alert rows).</summary>
    private static readonly string PendingSql = $"""
        SELECT x.id * {AlertIds.PerBatch} + o.n AS alert_id, o.user_id, x.reason, {EmergencyColumns}, x.created_at
        FROM emergency_alert_batches x
        CROSS JOIN LATERAL unnest(x.user_ids) WITH ORDINALITY o(user_id, n)
        {EmergencyJoins}
        WHERE x.user_ids && @userIds AND o.user_id = ANY (@userIds)
          AND NOT EXISTS (SELECT 1 FROM emergency_alert_acks k WHERE k.batch_id = x.id AND k.user_id = o.user_id)
        ORDER BY alert_id
        """;

    public async Task<int> ReportAsync(Actor actor, EmergencyReport report, CancellationToken ct = default)
    {
        actor.Require(Access.Emergencies);
        var now = clock.GetUtcNow();
        var errors = EmergencyRules.Check(report, now);
        if (errors.Count > 0) throw errors.ToException();

        var occurredAt = report.OccurredAt!.Value.ToUniversalTime();
        var other = EmergencyKinds.NeedsConfirmation(report.Kind);
        var args = new
        {
            report.Kind,
            KindDetail = other ? report.KindDetail.Trim() : null,
            Confirmation = other ? EmergencyConfirmations.Pending : null,
            Attempted = report.Kind == EmergencyKinds.PublicSecurity && report.Attempted,
            AmountYuan = report.Kind == EmergencyKinds.CompensationLoss ? report.AmountYuan : null,
            report.ProjectId, report.BuildingId,
            Location = report.Location.Trim(), Description = report.Description.Trim(),
            OccurredAt = occurredAt, DepartmentId = report.ResponsibleDepartmentId,
            ReportedBy = actor.Id, Now = now, Due = EmergencyRules.OnSiteDue(occurredAt),
        };
        List<AlertBatchRow> alerts;
        int id;
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var building = args.BuildingId is null ? (int?)null : await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
                "SELECT project_id FROM buildings WHERE id = @BuildingId", args, tx, cancellationToken: ct));
            if (args.BuildingId is not null && building != args.ProjectId) throw new RuleViolation[] { new("BuildingId", "Validation.Required") }.ToException();
            // The emergency and its "reported" event in one statement (one round trip fewer before the alerts reach anyone).
            id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                WITH e AS (
                    INSERT INTO emergencies (kind, kind_detail, confirmation, project_id, building_id, location, occurred_at, description,
                                             responsible_department_id, attempted, amount_yuan, reported_by, reported_at, on_site_due_at)
                    VALUES (@Kind, @KindDetail, @Confirmation, @ProjectId, @BuildingId, @Location, @OccurredAt, @Description,
                            @DepartmentId, @Attempted, @AmountYuan, @ReportedBy, @Now, @Due)
                    RETURNING id),
                v AS (
                    INSERT INTO emergency_events (emergency_id, at, kind, user_id, details)
                    SELECT e.id, @Now, 'reported', @ReportedBy, @Kind FROM e)
                SELECT id FROM e
                """, args, tx, cancellationToken: ct));
            alerts = (await conn.QueryAsync<AlertBatchRow>(new CommandDefinition(RaiseSql, new { Id = id, args.Now, args.DepartmentId, args.Kind }, tx, cancellationToken: ct))).AsList();
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Create, "emergency", id.ToString(),
                $"{args.Kind} project={args.ProjectId} dept={args.DepartmentId} occurred={occurredAt:O} alerts={alerts.Sum(a => a.UserIds.Length)}", ct);
            await tx.CommitAsync(ct);
        }

        // Saved first, then pushed: a push that fails loses nothing, the person gets the alert when they next connect.
        await PushAsync(alerts, ct);
        // A late report: the follow-ups whose time (counted from the occurrence) has already come happen now — reported two hours
        // or more after the event, it is escalated at once. Should this fail, or the process die first, the minutely sweep does them.
        foreach (var step in EmergencyRules.FollowUpsDue(occurredAt, now))
        {
            try { await FollowUpAsync(id, step, ct); }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Follow-up {Step} of late-reported emergency {Id} failed; the sweep will do it", step, id);
            }
        }
        // Then the delayed follow-ups. Should scheduling fail, or the process die before it, the recurring sweep still does them:
        // the report itself is saved and alerted, so it is not reported as failed.
        try
        {
            scheduler.ScheduleFollowUps(id, occurredAt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError(ex, "Scheduling the follow-ups of emergency {Id} failed; the sweep will do them", id);
        }
        return id;
    }

    /// <summary>
    /// A reminder (60 / 90 minutes) or the escalation (2 hours) of an emergency whose manager is not yet on site, counted from when
    /// it happened. Does nothing before its time, after arrival, for an "other" event the CS supervisor judged not first-class, or when
    /// it already happened: the event's unique index makes it once only, even when two servers run it at the same moment.
    /// Returns whether it happened now.
    /// </summary>
    public async Task<bool> FollowUpAsync(int emergencyId, string step, CancellationToken ct = default)
    {
        var after = EmergencyRules.FollowUpAfter(step);
        var now = clock.GetUtcNow();
        List<AlertBatchRow> alerts;
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var eventId = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
                INSERT INTO emergency_events (emergency_id, at, kind, details)
                SELECT e.id, @Now, @Step, ''
                FROM emergencies e
                WHERE e.id = @Id AND e.state = 'reported' AND e.occurred_at + @After <= @Now
                  AND e.confirmation IS DISTINCT FROM 'not_first_class'
                ON CONFLICT DO NOTHING
                RETURNING id
                """, new { Id = emergencyId, Step = step, After = after, Now = now }, tx, cancellationToken: ct));
            if (eventId is null) return false;
            alerts = (await conn.QueryAsync<AlertBatchRow>(new CommandDefinition(FollowUpSql, new { Id = emergencyId, Step = step, Now = now }, tx, cancellationToken: ct))).AsList();
            await conn.ExecuteAsync(new CommandDefinition("UPDATE emergency_events SET details = @details WHERE id = @eventId",
                new { eventId, details = string.Join(", ", alerts.SelectMany(a => a.UserIds).Distinct()) }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
        }
        await PushAsync(alerts, ct);
        return true;
    }

    /// <summary>The safety net: every follow-up that is due and has not happened (a lost delayed job, a restart) happens now.</summary>
    public async Task<int> SweepAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<int> open;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            open = (await conn.QueryAsync<int>(new CommandDefinition("""
                SELECT e.id FROM emergencies e
                WHERE e.state = 'reported' AND e.on_site_due_at <= @now + @lead
                  AND e.confirmation IS DISTINCT FROM 'not_first_class'
                  AND NOT EXISTS (SELECT 1 FROM emergency_events v WHERE v.emergency_id = e.id AND v.kind = 'escalated')
                ORDER BY e.id
                """, new { now, lead = EmergencyRules.OnSiteLimit - EmergencyRules.FollowUps[0].After }, cancellationToken: ct))).AsList();
        }
        var done = 0;
        foreach (var id in open)
            foreach (var (step, _) in EmergencyRules.FollowUps)
                if (await FollowUpAsync(id, step, ct)) done++;
        return done;
    }

    /// <summary>Every unacknowledged alert of a person, oldest first: what a screen shows when it (re)connects.</summary>
    public Task<IReadOnlyList<AlertMessage>> PendingAlertsAsync(int userId, CancellationToken ct = default) => PendingAlertsAsync([userId], ct);

    /// <summary>
    /// The unacknowledged alerts of several people at once, oldest first: the screens connected to one instance, caught up after
    /// the instances' link (Redis) was down.
    /// </summary>
    public async Task<IReadOnlyList<AlertMessage>> PendingAlertsAsync(IReadOnlyCollection<int> userIds, CancellationToken ct = default)
    {
        if (userIds.Count == 0) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AlertMessage>(new CommandDefinition(PendingSql, new { userIds = userIds.ToArray() }, cancellationToken: ct))).AsList();
    }

    /// <summary>The person acknowledges one of their own alerts; records who and when. A repeat changes nothing.</summary>
    public Task<bool> AcknowledgeAsync(Actor actor, long alertId, CancellationToken ct = default)
    {
        var (batchId, position) = AlertIds.Split(alertId);
        return AcknowledgeAsync(actor, batchId, position, null, ct);
    }

    /// <summary>
    /// The person acknowledges their own alert as their screen shows it: its alert row (<see cref="ScreenAlert.BatchId"/>; the person
    /// is the one signed in) and its emergency. False — nothing acknowledged — unless it is their own pending alert: a row that does
    /// not name them, one of another emergency (an id a screen kept from before an upgrade, sql/0260, which the id arithmetic would
    /// otherwise read as someone's alert of another emergency), or one they acknowledged already.
    /// </summary>
    public Task<bool> AcknowledgeOnScreenAsync(Actor actor, long batchId, int emergencyId, CancellationToken ct = default) =>
        AcknowledgeAsync(actor, batchId, null, emergencyId, ct);

    /// <summary>
    /// <paramref name="position"/>: the person's place in the row as their alert id says it, or null to find it;
    /// <paramref name="emergencyId"/>: the emergency the row must be of, when the caller knows it.
    /// </summary>
    private async Task<bool> AcknowledgeAsync(Actor actor, long batchId, int? position, int? emergencyId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        long alertId;
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var row = await conn.QuerySingleOrDefaultAsync<AckedRow>(new CommandDefinition($"""
                WITH x AS (
                    SELECT x.id, x.emergency_id, x.reason, p.position
                    FROM emergency_alert_batches x
                    CROSS JOIN LATERAL (SELECT coalesce(@position::int, array_position(x.user_ids, @userId)) AS position) p
                    WHERE x.id = @batchId AND x.user_ids[p.position] = @userId AND (@emergencyId::int IS NULL OR x.emergency_id = @emergencyId)),
                k AS (
                    INSERT INTO emergency_alert_acks (batch_id, user_id, emergency_id, acknowledged_at)
                    SELECT x.id, @userId, x.emergency_id, @now FROM x
                    ON CONFLICT DO NOTHING
                    RETURNING batch_id)
                SELECT x.emergency_id, x.reason, x.id * {AlertIds.PerBatch} + x.position AS alert_id FROM k JOIN x ON x.id = k.batch_id
                """, new { batchId, position, emergencyId, userId = actor.Id, now }, tx, cancellationToken: ct));
            if (row is null) return false;
            alertId = row.AlertId;
            await conn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO emergency_events (emergency_id, at, kind, user_id, details) VALUES (@EmergencyId, @now, 'acknowledged', @userId, @Reason)",
                new { row.EmergencyId, now, userId = actor.Id, row.Reason }, tx, cancellationToken: ct));
            // Acknowledged in the app: the person's pending messages of it stop on every channel.
            await OutboxSql.CancelAcknowledgedAsync(conn, tx, row.EmergencyId, actor.Id, now, ct);
            await tx.CommitAsync(ct);
        }
        await Safe(() => notifier.AcknowledgedAsync(actor.Id, [alertId], ct));
        return true;
    }

    /// <summary>
    /// Arrival on site (到达现场): "I am on site", with the time of arrival (default now; not in the future, not before the event) —
    /// its own action, apart from the findings, which may follow. Recorded by the responsible department's manager (or leadership on
    /// their behalf), with the time it was recorded beside the time stated; the arriving person's own alerts are acknowledged with it.
    /// </summary>
    public async Task RecordArrivalAsync(Actor actor, int emergencyId, DateTimeOffset? arrivedAt = null, CancellationToken ct = default)
    {
        actor.Require(Access.EmergencyArrival);
        var now = clock.GetUtcNow();
        var at = (arrivedAt ?? now).ToUniversalTime();
        long[] acknowledged;
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var e = await LockAsync(conn, tx, actor, emergencyId, ct);
            if (e.State != EmergencyStates.Reported) throw new DomainException("Emergency.AlreadyOnSite");
            var errors = EmergencyRules.CheckArrival(at, e.OccurredAt, now);
            if (errors.Count > 0) throw errors.ToException();
            var onTime = EmergencyRules.IsOnTime(at, e.Due);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE emergencies SET state = 'on_site', arrived_at = @at, arrived_by = @userId, arrival_recorded_at = @now
                WHERE id = @emergencyId AND state = 'reported'
                """, new { emergencyId, at, now, userId = actor.Id }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO emergency_events (emergency_id, at, kind, user_id, details) VALUES (@emergencyId, @at, 'arrived', @userId, @details)",
                new { emergencyId, at, userId = actor.Id, details = onTime ? "in-time" : "late" }, tx, cancellationToken: ct));
            acknowledged = await AcknowledgeOwnAsync(conn, tx, emergencyId, actor.Id, now, null, ct);
            // On site: no more reminders on any channel.
            await OutboxSql.CancelAcknowledgedAsync(conn, tx, emergencyId, actor.Id, now, ct);
            await OutboxSql.CancelFollowUpsAsync(conn, tx, emergencyId, andEscalation: false, "on_site", now, ct);
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "emergency", emergencyId.ToString(),
                $"arrived on site at {at:O} ({(onTime ? "in time" : "late")}), recorded {now:O}", ct);
            await tx.CommitAsync(ct);
        }
        if (acknowledged.Length > 0) await Safe(() => notifier.AcknowledgedAsync(actor.Id, acknowledged, ct));
    }

    /// <summary>
    /// The findings on site — cause, scope, basic response — saved after the arrival, and again as they become clearer (each save a
    /// timeline event). By the same people as the arrival.
    /// </summary>
    public async Task RecordFindingsAsync(Actor actor, int emergencyId, EmergencyFindings findings, CancellationToken ct = default)
    {
        actor.Require(Access.EmergencyArrival);
        var errors = EmergencyRules.Check(findings);
        if (errors.Count > 0) throw errors.ToException();
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var e = await LockAsync(conn, tx, actor, emergencyId, ct);
        if (e.State != EmergencyStates.OnSite) throw new DomainException("Emergency.FindingsBeforeArrival");
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE emergencies SET cause = @Cause, scope = @Scope, response = @Response, findings_at = @now, findings_by = @userId
            WHERE id = @emergencyId AND state = 'on_site'
            """, new { emergencyId, now, userId = actor.Id, Cause = findings.Cause.Trim(), Scope = findings.Scope.Trim(), Response = findings.Response.Trim() },
            tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO emergency_events (emergency_id, at, kind, user_id) VALUES (@emergencyId, @now, 'findings', @userId)",
            new { emergencyId, now, userId = actor.Id }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "emergency", emergencyId.ToString(), "findings saved", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The responsible department's manager records the arrival; leadership (or an administrator) may on their behalf.</summary>
    public static bool MayRecordArrival(Actor actor, int departmentId, int? managerUserId) =>
        actor.IsIn(Access.EmergencyArrivalOnBehalf) || managerUserId == actor.Id
        || (actor.IsIn(Roles.DeptManager) && actor.DepartmentId == departmentId);

    /// <summary>Whether the person may decide if an "other" event is first-class (the CS supervisor only).</summary>
    public static bool MayConfirm(Actor actor) => actor.IsIn(Access.EmergencyConfirmation);

    /// <summary>
    /// The CS supervisor's decision on an "other" event: first-class (it stays on the two-hour clock) or not first-class (a reason
    /// required; no further reminder or escalation, left out of the first-class figures). Once, recorded with who, when and why,
    /// audited; the supervisor's own "confirm" alerts of it are acknowledged with it.
    /// </summary>
    public async Task ConfirmAsync(Actor actor, int emergencyId, bool firstClass, string? note, CancellationToken ct = default)
    {
        actor.Require(Access.EmergencyConfirmation);
        var errors = EmergencyRules.CheckConfirmation(firstClass, note);
        if (errors.Count > 0) throw errors.ToException();
        var now = clock.GetUtcNow();
        var decision = firstClass ? EmergencyConfirmations.Confirmed : EmergencyConfirmations.NotFirstClass;
        var trimmed = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        long[] acknowledged;
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var changed = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE emergencies SET confirmation = @decision, confirmed_by = @userId, confirmed_at = @now, confirmation_note = @trimmed
                WHERE id = @emergencyId AND confirmation = 'pending'
                """, new { emergencyId, decision, userId = actor.Id, now, trimmed }, tx, cancellationToken: ct));
            if (changed == 0)
            {
                var current = await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                    "SELECT coalesce(confirmation, '') FROM emergencies WHERE id = @emergencyId", new { emergencyId }, tx, cancellationToken: ct));
                throw new DomainException(current is null ? "NotFound" : current == "" ? "Emergency.NotToConfirm" : "Emergency.AlreadyConfirmed");
            }
            await conn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO emergency_events (emergency_id, at, kind, user_id, details) VALUES (@emergencyId, @now, @decision, @userId, @details)",
                new { emergencyId, now, decision, userId = actor.Id, details = trimmed ?? "" }, tx, cancellationToken: ct));
            acknowledged = await AcknowledgeOwnAsync(conn, tx, emergencyId, actor.Id, now, AlertReasons.Confirm, ct);
            await OutboxSql.CancelAcknowledgedAsync(conn, tx, emergencyId, actor.Id, now, ct);
            if (!firstClass) await OutboxSql.CancelFollowUpsAsync(conn, tx, emergencyId, andEscalation: true, "not_first_class", now, ct);
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "emergency", emergencyId.ToString(),
                $"{decision}{(trimmed is null ? "" : ": " + trimmed)}", ct);
            await tx.CommitAsync(ct);
        }
        if (acknowledged.Length > 0) await Safe(() => notifier.AcknowledgedAsync(actor.Id, acknowledged, ct));
    }

    /// <summary>Locks the emergency for an arrival or findings and checks that the actor may record them.</summary>
    private static async Task<ArrivalTarget> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, int emergencyId, CancellationToken ct)
    {
        var e = await conn.QuerySingleOrDefaultAsync<ArrivalTarget>(new CommandDefinition("""
            SELECT e.state, e.responsible_department_id AS department_id, d.manager_user_id AS manager_id, e.occurred_at, e.on_site_due_at AS due
            FROM emergencies e JOIN departments d ON d.id = e.responsible_department_id
            WHERE e.id = @emergencyId FOR UPDATE OF e
            """, new { emergencyId }, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        if (!MayRecordArrival(actor, e.DepartmentId, e.ManagerId)) throw new ForbiddenException(actor.UserName, [Roles.DeptManager]);
        return e;
    }

    /// <summary>Acknowledges the person's own open alerts of an emergency (all, or those of one reason) at <paramref name="now"/>.</summary>
    private static async Task<long[]> AcknowledgeOwnAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int emergencyId, int userId, DateTimeOffset now,
        string? reason, CancellationToken ct) =>
        (await conn.QueryAsync<long>(new CommandDefinition($"""
            WITH k AS (
                INSERT INTO emergency_alert_acks (batch_id, user_id, emergency_id, acknowledged_at)
                SELECT x.id, @userId, x.emergency_id, @now
                FROM emergency_alert_batches x
                WHERE x.emergency_id = @emergencyId AND x.user_ids @> ARRAY[@userId::int] AND (@reason::text IS NULL OR x.reason = @reason)
                ON CONFLICT DO NOTHING
                RETURNING batch_id)
            SELECT x.id * {AlertIds.PerBatch} + array_position(x.user_ids, @userId::int) FROM k JOIN emergency_alert_batches x ON x.id = k.batch_id
            ORDER BY 1
            """, new { emergencyId, now, userId, reason }, tx, cancellationToken: ct))).ToArray();

    private const string SummarySelect = """
        SELECT e.id, e.kind, e.kind_detail, e.confirmation, e.state, p.name AS project_name, b.name AS building_name, e.location,
               d.name AS department_name, d.name_en AS department_name_en, e.occurred_at, e.reported_at,
               e.on_site_due_at, e.arrived_at, r.display_name AS reported_by_name,
               (SELECT v.at FROM emergency_events v WHERE v.emergency_id = e.id AND v.kind = 'escalated') AS escalated_at
        FROM emergencies e
        JOIN projects p ON p.id = e.project_id
        LEFT JOIN buildings b ON b.id = e.building_id
        JOIN departments d ON d.id = e.responsible_department_id
        JOIN users r ON r.id = e.reported_by
        """;

    private const string ListWhere = $"""
         WHERE (@State IS NULL OR e.state = @State)
           AND (NOT @Unconfirmed OR {EmergencySql.AwaitingConfirmation})
           AND (NOT @Awaiting OR {EmergencySql.AwaitingArrival})
           AND (@DepartmentId::int IS NULL OR e.responsible_department_id = @DepartmentId)
        """;

    /// <summary>
    /// The emergencies, newest report first. <paramref name="filter"/>: null (all), a state (<see cref="EmergencyStates"/>),
    /// <see cref="EmergencyListFilters.Unconfirmed"/> (the "other" events awaiting the CS supervisor) or
    /// <see cref="EmergencyListFilters.Awaiting"/> (awaiting the manager's arrival); <paramref name="departmentId"/> narrows to the
    /// responsible department.
    /// </summary>
    public async Task<Page<EmergencySummary>> ListAsync(Actor actor, string? filter, int skip, int take, int? departmentId = null, CancellationToken ct = default)
    {
        actor.Require(Access.Emergencies);
        var unconfirmed = filter == EmergencyListFilters.Unconfirmed;
        var awaiting = filter == EmergencyListFilters.Awaiting;
        var args = new
        {
            State = string.IsNullOrWhiteSpace(filter) || unconfirmed || awaiting ? null : filter, Unconfirmed = unconfirmed, Awaiting = awaiting,
            DepartmentId = departmentId, Skip = Search.Skip(skip), Take = Search.Take(take),
        };
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<EmergencySummary>(new CommandDefinition(
            SummarySelect + ListWhere + " ORDER BY e.reported_at DESC, e.id DESC OFFSET @Skip LIMIT @Take", args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT count(*) FROM emergencies e" + ListWhere, args, cancellationToken: ct));
        return new Page<EmergencySummary>(items.AsList(), total);
    }

    public async Task<(EmergencyDetail Detail, IReadOnlyList<EmergencyEvent> Timeline, IReadOnlyList<EmergencyAlertRow> Alerts)?> GetAsync(
        Actor actor, int id, CancellationToken ct = default)
    {
        actor.Require(Access.Emergencies);
        await using var conn = await db.OpenConnectionAsync(ct);
        var detail = await conn.QuerySingleOrDefaultAsync<EmergencyDetail>(new CommandDefinition("""
            SELECT e.id, e.kind, e.kind_detail, e.state, e.attempted, e.amount_yuan, e.project_id, p.name AS project_name, e.building_id, b.name AS building_name,
                   e.location, e.description, e.responsible_department_id, d.name AS department_name, d.name_en AS department_name_en,
                   d.manager_user_id, e.occurred_at, e.reported_by, r.display_name AS reported_by_name, e.reported_at, e.on_site_due_at,
                   e.arrived_at, a.display_name AS arrived_by_name, e.arrival_recorded_at,
                   e.cause, e.scope, e.response, e.findings_at, f.display_name AS findings_by_name,
                   e.confirmation, c.display_name AS confirmed_by_name, e.confirmed_at, e.confirmation_note
            FROM emergencies e
            JOIN projects p ON p.id = e.project_id
            LEFT JOIN buildings b ON b.id = e.building_id
            JOIN departments d ON d.id = e.responsible_department_id
            JOIN users r ON r.id = e.reported_by
            LEFT JOIN users a ON a.id = e.arrived_by
            LEFT JOIN users f ON f.id = e.findings_by
            LEFT JOIN users c ON c.id = e.confirmed_by
            WHERE e.id = @id
            """, new { id }, cancellationToken: ct));
        if (detail is null) return null;
        var timeline = await conn.QueryAsync<EmergencyEvent>(new CommandDefinition("""
            SELECT v.id, v.at, v.kind, v.user_id, u.display_name AS user_name, v.details
            FROM emergency_events v LEFT JOIN users u ON u.id = v.user_id
            WHERE v.emergency_id = @id ORDER BY v.at, v.id
            """, new { id }, cancellationToken: ct));
        var alerts = await conn.QueryAsync<EmergencyAlertRow>(new CommandDefinition("""
            SELECT a.id, a.user_id, u.display_name AS user_name, a.reason, a.created_at, a.acknowledged_at
            FROM emergency_alerts a JOIN users u ON u.id = a.user_id
            WHERE a.emergency_id = @id ORDER BY a.id
            """, new { id }, cancellationToken: ct));
        return (detail, timeline.AsList(), alerts.AsList());
    }

    private sealed record AckedRow(int EmergencyId, string Reason, long AlertId);

    /// <summary>One alert row as written (an emergency's alerts of one reason, naming its people in order) with its emergency.</summary>
    private sealed record AlertBatchRow(
        long BatchId, int[] UserIds, string Reason, DateTimeOffset CreatedAt, int EmergencyId, string Kind, string? KindDetail,
        string ProjectName, string? BuildingName, string Location, string Description, string DepartmentName, string DepartmentNameEn,
        DateTimeOffset OccurredAt, DateTimeOffset ReportedAt, DateTimeOffset OnSiteDueAt)
    {
        /// <summary>The alert, once, for the people the row names.</summary>
        public AlertBatch ToBatch() => new(new ScreenAlert(
            BatchId, Reason, EmergencyId, Kind, KindDetail, ProjectName, BuildingName, Location, Description,
            DepartmentName, DepartmentNameEn, OccurredAt, ReportedAt, OnSiteDueAt, CreatedAt), UserIds);
    }
    private sealed record ArrivalTarget(string State, int DepartmentId, int? ManagerId, DateTimeOffset OccurredAt, DateTimeOffset Due);

    private Task PushAsync(IReadOnlyList<AlertBatchRow> rows, CancellationToken ct) =>
        rows.Count == 0 ? Task.CompletedTask : Safe(() => notifier.AlertsAsync([.. rows.Select(r => r.ToBatch())], ct));

    private async Task Safe(Func<Task> push)
    {
        try { await push(); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The alerts are saved: the people get them on their next connection.
            log.LogWarning(ex, "Pushing emergency alerts failed; they will be delivered on the next connection");
        }
    }
}
