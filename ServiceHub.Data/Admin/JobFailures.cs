using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

/// <summary>A background job that failed after its retries, open until an administrator marks it handled.</summary>
public sealed record JobFailure(long Id, string JobName, string HangfireJobId, DateTimeOffset FirstFailedAt, DateTimeOffset LastFailedAt, int Failures, string Error);

/// <summary>
/// Failed background jobs (issue #16 point 13). The job server records a job that failed after its retries
/// (<see cref="RecordAsync"/>): one open failure per job, its administrators notified once, in the same transaction; the failure
/// stays on their home page until one of them marks it handled (<see cref="HandleAsync"/>). The error kept is the exception's type
/// and message, cut to <see cref="MaxError"/> characters.
/// </summary>
public sealed class JobFailures(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public const int MaxError = 1000;
    public const string NotifyKey = "Admin.JobFailed.Notify";
    public const string HandledAction = "job-failure-handled";

    private const string RecordSql = """
        INSERT INTO job_failures (job_name, hangfire_job_id, first_failed_at, last_failed_at, error)
        VALUES (@jobName, @hangfireJobId, @now, @now, @error)
        ON CONFLICT (job_name) WHERE handled_at IS NULL
        DO UPDATE SET failures = job_failures.failures + 1, last_failed_at = @now, hangfire_job_id = @hangfireJobId, error = @error
        RETURNING id, (xmax = 0) AS is_new
        """;

    private const string AdminsSql = "SELECT id FROM users WHERE is_active AND 'admin' = ANY (roles)";

    /// <summary>Records a failure; a new open failure notifies every active administrator. Returns the failure's id.</summary>
    public async Task<long> RecordAsync(string jobName, string hangfireJobId, string error, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var text = error.Length > MaxError ? error[..MaxError] : error;
        var name = jobName.Length > 200 ? jobName[..200] : jobName;
        return await db.InTransactionAsync(async (conn, tx) =>
        {
            var (id, isNew) = await conn.QuerySingleAsync<(long, bool)>(new CommandDefinition(RecordSql,
                new { jobName = name, hangfireJobId, now, error = text }, tx, cancellationToken: ct));
            if (isNew)
            {
                var admins = await conn.QueryAsync<int>(new CommandDefinition(AdminsSql, transaction: tx, cancellationToken: ct));
                await NotificationRepository.NotifyAsync(conn, tx, admins, now, "job-failed", null, NotifyKey, [name], "/", $"job-failed:{id}", ct);
            }
            return id;
        }, ct);
    }

    /// <summary>The open failures, newest first (administrators only).</summary>
    public async Task<IReadOnlyList<JobFailure>> OpenAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<JobFailure>(new CommandDefinition("""
            SELECT id, job_name, hangfire_job_id, first_failed_at, last_failed_at, failures, error
            FROM job_failures WHERE handled_at IS NULL ORDER BY last_failed_at DESC, id DESC
            """, cancellationToken: ct))).AsList();
    }

    /// <summary>Marks an open failure handled (administrators only); a failure already handled is left as it was. Audited.</summary>
    public async Task HandleAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var name = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
                "UPDATE job_failures SET handled_at = @now, handled_by = @by WHERE id = @id AND handled_at IS NULL RETURNING job_name",
                new { id, now = clock.GetUtcNow(), by = actor.Id }, tx, cancellationToken: ct));
            if (name is not null) await audit.WriteAsync(conn, tx, actor, HandledAction, "job_failures", id.ToString(System.Globalization.CultureInfo.InvariantCulture), name, ct);
            return 0;
        }, ct);
    }
}
