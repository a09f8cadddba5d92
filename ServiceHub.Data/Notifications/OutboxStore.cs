using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Notifications;

/// <summary>A claimed outbox message, with the attempt now under way (<see cref="AttemptId"/>).</summary>
public sealed record OutboxMessage(
    long Id, string Channel, string EventKind, string? SubjectType, long? SubjectId, int[] UserIds, int? EndpointId, string? Address,
    string[] Mentions, string MessageKey, string[] Args, string Link, string? Payload, string IdempotencyKey, int Attempts, int? FailAfter,
    long AttemptId);

/// <summary>A row of the administrator's delivery list (the address masked).</summary>
public sealed record OutboxDelivery(
    long Id, DateTimeOffset CreatedAt, string Channel, string EventKind, string MessageKey, string[] Args, string Link, string Recipients,
    string? Address, string? RobotName, string State, int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt, string? LastError,
    string? CancelReason, string Reference);

/// <summary>One attempt of a message and its result (null while it is under way, or when its worker died).</summary>
public sealed record OutboxAttempt(int AttemptNo, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Outcome, string? Error, string? ProviderReference);

/// <summary>
/// The outbox's records: the delivery job claims due messages (<c>FOR UPDATE SKIP LOCKED</c>, a lease), records each try and its
/// result; the administrator lists them and retries a failed one. Every state change is guarded SQL.
/// </summary>
public sealed class OutboxStore(NpgsqlDataSource db, TimeProvider clock, IOptions<OutboxOptions> options, AuditLog audit)
{
    private OutboxOptions O => options.Value;
    private const int ErrorMax = 1000;

    // A row whose lease expired (its worker died between the claim and the result) is due again; its open attempt is closed as abandoned.
    private const string ClaimSql = """
        WITH due AS (
            SELECT id FROM outbox_messages
            WHERE state = 'pending' AND next_attempt_at <= @now AND (locked_until IS NULL OR locked_until <= @now)
            ORDER BY next_attempt_at, id
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE outbox_messages m SET locked_until = @now + @lease, attempts = m.attempts + 1
            FROM due WHERE m.id = due.id
            RETURNING m.*
        ), abandoned AS (
            UPDATE outbox_attempts a SET finished_at = @now, outcome = 'abandoned',
                error = 'no result recorded: the worker stopped during this attempt'
            WHERE a.message_id IN (SELECT id FROM claimed) AND a.finished_at IS NULL
        ), started AS (
            INSERT INTO outbox_attempts (message_id, attempt_no, started_at)
            SELECT id, attempts, @now FROM claimed
            RETURNING id, message_id
        )
        SELECT c.id, c.channel, c.event_kind, c.subject_type, c.subject_id, c.user_ids, c.endpoint_id, c.address, c.mentions,
               c.message_key, c.args, c.link, c.payload::text AS payload, c.idempotency_key, c.attempts, c.fail_after, s.id AS attempt_id
        FROM claimed c JOIN started s ON s.message_id = c.id
        ORDER BY c.next_attempt_at, c.id
        """;

    /// <summary>Claims up to <see cref="OutboxOptions.BatchSize"/> due messages for this worker and starts an attempt of each.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> ClaimAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OutboxMessage>(new CommandDefinition(ClaimSql,
            new { now = clock.GetUtcNow(), batch = O.BatchSize, lease = O.Lease }, cancellationToken: ct))).AsList();
    }

    /// <summary>A quick retry within the run: the try that failed is recorded, the next starts (and the lease is renewed). Returns it.</summary>
    public async Task<OutboxMessage> NextTryAsync(OutboxMessage m, string error, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var (attemptId, attempts) = await conn.QuerySingleAsync<(long, int)>(new CommandDefinition("""
            WITH closed AS (
                UPDATE outbox_attempts SET finished_at = @now, outcome = 'failed', error = @error WHERE id = @attemptId
            ), bumped AS (
                UPDATE outbox_messages SET attempts = attempts + 1, last_error = @error, locked_until = @now + @lease
                WHERE id = @id RETURNING attempts
            )
            INSERT INTO outbox_attempts (message_id, attempt_no, started_at) SELECT @id, attempts, @now FROM bumped
            RETURNING id, attempt_no
            """, new { m.Id, m.AttemptId, error = Clip(error), now = clock.GetUtcNow(), lease = O.Lease }, cancellationToken: ct));
        return m with { AttemptId = attemptId, Attempts = attempts };
    }

    /// <summary>The provider accepted the message: sent (whatever happened to the row meanwhile: it was sent).</summary>
    public async Task SentAsync(OutboxMessage m, string? providerReference, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            WITH attempt AS (
                UPDATE outbox_attempts SET finished_at = @now, outcome = 'sent', provider_reference = @providerReference WHERE id = @AttemptId
            )
            UPDATE outbox_messages SET state = 'sent', sent_at = @now, locked_until = NULL, provider_reference = @providerReference, last_error = NULL
            WHERE id = @Id
            """, new { m.Id, m.AttemptId, providerReference = Clip(providerReference), now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    /// <summary>
    /// The run's tries failed: tried again after the back-off, or failed for good when its attempts are spent (or the failure is
    /// <paramref name="permanent"/>, e.g. a channel that is not configured). A cancelled or already sent row keeps its state.
    /// </summary>
    public async Task FailedAsync(OutboxMessage m, string error, bool permanent, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var failedRuns = Math.Max(1, (m.Attempts + O.TriesPerRun - 1) / Math.Max(1, O.TriesPerRun));
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            WITH attempt AS (
                UPDATE outbox_attempts SET finished_at = @now, outcome = 'failed', error = @error WHERE id = @AttemptId
            )
            UPDATE outbox_messages
            SET state = CASE WHEN state = 'pending' AND @exhausted THEN 'failed' ELSE state END,
                next_attempt_at = @next, locked_until = NULL, last_error = @error
            WHERE id = @Id AND state <> 'sent'
            """, new
            {
                m.Id, m.AttemptId, error = Clip(error), now,
                exhausted = permanent || OutboxRules.IsExhausted(m.Attempts, m.FailAfter, O),
                next = OutboxRules.NextAttemptAt(now, failedRuns, O),
            }, cancellationToken: ct));
    }

    /// <summary>How many messages are in each state (the delivery page's header, the backlog).</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string State, int Count)>(new CommandDefinition(
            "SELECT state, count(*)::int FROM outbox_messages GROUP BY state", cancellationToken: ct));
        return OutboxStates.All.ToDictionary(s => s, s => rows.FirstOrDefault(r => r.State == s).Count);
    }

    private const string ListWhere = " WHERE (@state::text IS NULL OR m.state = @state) AND (@channel::text IS NULL OR m.channel = @channel)";

    /// <summary>The deliveries, newest first, filtered by state and channel; addresses masked.</summary>
    public async Task<Page<OutboxDelivery>> ListAsync(Actor actor, string? state, string? channel, int skip, int take, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        var args = new { state = Blank(state), channel = Blank(channel), skip = Search.Skip(skip), take = Search.Take(take) };
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<OutboxDelivery>(new CommandDefinition($"""
            SELECT m.id, m.created_at, m.channel, m.event_kind, m.message_key, m.args, m.link,
                   coalesce((SELECT string_agg(u.display_name, '、' ORDER BY u.display_name) FROM users u WHERE u.id = ANY (m.user_ids)), '') AS recipients,
                   m.address, r.name AS robot_name, m.state, m.attempts, m.next_attempt_at, m.sent_at, m.last_error, m.cancel_reason,
                   m.idempotency_key AS reference
            FROM outbox_messages m LEFT JOIN notification_robots r ON m.channel = 'robot' AND r.id = m.endpoint_id
            {ListWhere}
            ORDER BY m.id DESC OFFSET @skip LIMIT @take
            """, args, cancellationToken: ct))).AsList();
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT count(*) FROM outbox_messages m" + ListWhere, args, cancellationToken: ct));
        return new Page<OutboxDelivery>(
            rows.Select(r => r with { Address = OutboxRules.MaskAddress(r.Channel, r.Address), Reference = OutboxRules.Reference(r.Reference) }).ToList(),
            total);
    }

    /// <summary>Every attempt of one message, in order.</summary>
    public async Task<IReadOnlyList<OutboxAttempt>> AttemptsAsync(Actor actor, long messageId, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OutboxAttempt>(new CommandDefinition("""
            SELECT attempt_no, started_at, finished_at, outcome, error, provider_reference
            FROM outbox_attempts WHERE message_id = @messageId ORDER BY attempt_no
            """, new { messageId }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// An administrator sends a failed message again: pending now, with a fresh allowance of attempts; recorded and audited.
    /// Only a failed one (a repeat, or a message that is not failed, changes nothing). Returns whether it was queued again.
    /// </summary>
    public async Task<bool> RetryAsync(Actor actor, long messageId, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        var now = clock.GetUtcNow();
        return await db.InTransactionAsync(async (conn, tx) =>
        {
            var changed = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE outbox_messages SET state = 'pending', next_attempt_at = @now, locked_until = NULL,
                    fail_after = attempts + @max, retried_at = @now, retried_by = @by
                WHERE id = @messageId AND state = 'failed'
                """, new { messageId, now, max = O.MaxAttempts, by = actor.UserName }, tx, cancellationToken: ct));
            if (changed == 0) return false;
            // Announced on commit like a new message, so the delivery job runs at once rather than at its next minute.
            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_notify('servicehub_outbox', '')", transaction: tx, cancellationToken: ct));
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "outbox_message", messageId.ToString(), "retry", ct);
            return true;
        }, ct);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
    private static string? Clip(string? s) => s is null ? null : s.Length <= ErrorMax ? s : s[..ErrorMax];
}
