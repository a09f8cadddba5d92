using System.Diagnostics.Metrics;
using Dapper;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>
/// Issue #16 point 11: ServiceHub's own metrics as an exporter reads them (a <see cref="MeterListener"/> on this service provider's
/// meter): complaints registered, escalations by level, overdue deadlines now, emergencies open and the minutes to the nearest
/// two-hour limit, the outbox backlog, and each job's duration and failures. Read as differences, so other rows change nothing.
/// </summary>
public sealed class DomainMetricsTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    [Fact]
    public async Task The_metrics_count_registrations_escalations_by_level_overdue_deadlines_open_emergencies_their_minutes_to_the_limit_the_outbox_and_failed_jobs()
    {
        var metrics = _s.Get<DomainMetrics>();
        using var listener = Listen(_s.Get<IMeterFactory>(), out var seen);
        await metrics.RefreshAsync();
        listener.RecordObservableInstruments();
        var before = new Dictionary<string, double>(seen);

        var now = _s.Clock.GetUtcNow();
        var first = await _w.RegisterComplaintAsync();
        var second = await _w.RegisterComplaintAsync();
        await using (var conn = await Db.DataSource.OpenConnectionAsync())
        {
            // The first one's reply deadline reached level 1, the second one's level 2; all their deadlines are past due now.
            await conn.ExecuteAsync("""
                UPDATE complaint_deadlines SET due_at = @now - interval '1 hour' WHERE complaint_id IN (@first, @second) AND active;
                UPDATE complaint_deadlines SET stage = CASE complaint_id WHEN @first THEN 'level1' ELSE 'level2' END
                WHERE complaint_id IN (@first, @second) AND kind = 'reply';
                """, new { first, second, now });
            await conn.ExecuteAsync("""
                INSERT INTO emergencies (kind, project_id, location, occurred_at, description, responsible_department_id, reported_by, reported_at, on_site_due_at)
                VALUES ('fire_explosion', @project, '3号楼地下车库', @now - interval '12 days', '指标测试', @dept, @agent, @now - interval '12 days', @now - interval '10 days')
                """, new { project = _w.ProjectId, dept = _w.DepartmentId, agent = _w.Agent.Id, now });
            await conn.ExecuteAsync("""
                INSERT INTO outbox_messages (created_at, channel, event_kind, address, idempotency_key, next_attempt_at)
                VALUES (@now, 'sms', 'metrics-test', '13800000000', 'metrics-test-' || gen_random_uuid(), @now)
                """, new { now });
        }
        var deadlines = await Scalar<int>("SELECT count(*)::int FROM complaint_deadlines WHERE complaint_id IN (@first, @second) AND active", new { first, second });
        Assert.True(deadlines >= 2);

        await metrics.RefreshAsync();
        listener.RecordObservableInstruments();
        metrics.JobRan("ClosureJob", TimeSpan.FromSeconds(3), failed: true);
        metrics.JobRan("ClosureJob", TimeSpan.FromSeconds(1), failed: false);

        double Delta(string key) => seen[key] - before.GetValueOrDefault(key);
        Assert.Equal(2, Delta("servicehub.complaints.registered"));
        Assert.Equal(2, Delta("servicehub.escalations level=1"));
        Assert.Equal(1, Delta("servicehub.escalations level=2"));
        Assert.Equal(deadlines, Delta("servicehub.deadlines.overdue"));
        Assert.Equal(1, Delta("servicehub.emergencies.open"));
        Assert.Equal(-10 * 24 * 60, seen["servicehub.emergencies.minutes_to_limit"], precision: 3); // the nearest limit: ten days past
        Assert.Equal(1, Delta("servicehub.outbox.backlog"));
        Assert.Equal(1, seen["servicehub.job.failures job=ClosureJob"]);
        Assert.Equal(3, seen["servicehub.job.duration job=ClosureJob outcome=failed"]);
        Assert.Equal(1, seen["servicehub.job.duration job=ClosureJob outcome=succeeded"]);
    }

    /// <summary>The last value of every instrument of ServiceHub's meter made by <paramref name="meters"/>, keyed by name and tags.</summary>
    private static MeterListener Listen(IMeterFactory meters, out Dictionary<string, double> seen)
    {
        var values = seen = [];
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == DomainMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters)) l.EnableMeasurementEvents(instrument);
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = instrument.Name;
            foreach (var (k, v) in tags.ToArray().OrderBy(t => t.Key)) key += $" {k}={v}";
            lock (values) values[key] = value;
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        return listener;
    }
}
