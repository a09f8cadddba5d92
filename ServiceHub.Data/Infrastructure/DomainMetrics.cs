using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;

namespace ServiceHub.Data.Infrastructure;

/// <summary>What the domain metrics read from the database at one moment.</summary>
public sealed record DomainSnapshot(long ComplaintsRegistered, long EscalatedLevel1, long EscalatedLevel2, long OverdueDeadlines,
    long EmergenciesOpen, double? MinutesToOnSiteLimit, long OutboxBacklog);

/// <summary>
/// ServiceHub's own metrics (issue #16 point 11), meter <see cref="MeterName"/>: complaints registered and escalations by level
/// (counters), overdue deadlines now, emergencies open and the minutes left to the nearest two-hour on-site limit, the outbox
/// backlog (gauges) — read from the database, so every instance reports the same figures (take <c>max</c> across instances) — and
/// the jobs' durations and failures (recorded by the job server as each job runs). <see cref="RefreshAsync"/> reads the figures
/// (the app refreshes them every <see cref="RefreshEvery"/>); a scrape only reads the last snapshot.
/// </summary>
public sealed class DomainMetrics
{
    public const string MeterName = "ServiceHub";
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _clock;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _jobFailures;
    private volatile DomainSnapshot? _last;

    public DomainMetrics(NpgsqlDataSource db, TimeProvider clock, IMeterFactory meters)
    {
        _db = db;
        _clock = clock;
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("servicehub.complaints.registered", () => Measure(s => s.ComplaintsRegistered), "{complaint}", "Complaints registered");
        meter.CreateObservableCounter("servicehub.escalations", () => _last is { } s
            ? [new Measurement<long>(s.EscalatedLevel1, new KeyValuePair<string, object?>("level", 1)), new Measurement<long>(s.EscalatedLevel2, new KeyValuePair<string, object?>("level", 2))]
            : Array.Empty<Measurement<long>>(), "{deadline}", "Complaint deadlines escalated, by level reached");
        meter.CreateObservableGauge("servicehub.deadlines.overdue", () => Measure(s => s.OverdueDeadlines), "{deadline}", "Active complaint deadlines past due now");
        meter.CreateObservableGauge("servicehub.emergencies.open", () => Measure(s => s.EmergenciesOpen), "{emergency}", "Emergencies reported and not yet on site");
        meter.CreateObservableGauge("servicehub.emergencies.minutes_to_limit", () => _last?.MinutesToOnSiteLimit is { } m ? [new Measurement<double>(m)] : Array.Empty<Measurement<double>>(),
            "min", "Minutes left to the nearest open emergency's two-hour on-site limit (negative: overdue)");
        meter.CreateObservableGauge("servicehub.outbox.backlog", () => Measure(s => s.OutboxBacklog), "{message}", "Outbox messages waiting to be sent");
        _jobDuration = meter.CreateHistogram<double>("servicehub.job.duration", "s", "Background job run time, by job and outcome");
        _jobFailures = meter.CreateCounter<long>("servicehub.job.failures", "{run}", "Background job runs that failed, by job");
    }

    public DomainSnapshot? Last => _last;

    private IEnumerable<Measurement<long>> Measure(Func<DomainSnapshot, long> value) =>
        _last is { } s ? [new Measurement<long>(value(s))] : [];

    private const string SnapshotSql = """
        SELECT (SELECT count(*) FROM complaints) AS complaints_registered,
               (SELECT count(*) FROM complaint_deadlines WHERE stage IN ('level1','level2')) AS escalated_level1,
               (SELECT count(*) FROM complaint_deadlines WHERE stage = 'level2') AS escalated_level2,
               (SELECT count(*) FROM complaint_deadlines WHERE active AND due_at < @now) AS overdue_deadlines,
               (SELECT count(*) FROM emergencies WHERE state = 'reported') AS emergencies_open,
               (SELECT extract(epoch FROM min(on_site_due_at) - @now)::float8 / 60 FROM emergencies WHERE state = 'reported') AS minutes_to_on_site_limit,
               (SELECT count(*) FROM outbox_messages WHERE state = 'pending') AS outbox_backlog
        """;

    /// <summary>Reads the figures now; the gauges report them until the next refresh.</summary>
    public async Task<DomainSnapshot> RefreshAsync(CancellationToken ct = default)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        var s = await conn.QuerySingleAsync<DomainSnapshot>(new CommandDefinition(SnapshotSql, new { now = _clock.GetUtcNow() }, cancellationToken: ct));
        _last = s;
        return s;
    }

    /// <summary>One run of a background job: its duration, and a failure when it failed.</summary>
    public void JobRan(string job, TimeSpan duration, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("job", job);
        _jobDuration.Record(duration.TotalSeconds, tag, new KeyValuePair<string, object?>("outcome", failed ? "failed" : "succeeded"));
        if (failed) _jobFailures.Add(1, tag);
    }
}
