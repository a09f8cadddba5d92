using ServiceHub.Data.Infrastructure;
using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

public sealed class EscalationTests(DatabaseFixture db) : ComplaintWorldTests(db)
{


    private async Task<List<(int UserId, string MessageKey)>> NotificationsAsync(long complaintId)
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        return (await conn.QueryAsync<(int, string)>(
            "SELECT user_id, message_key FROM notification_inbox WHERE complaint_id = @complaintId AND kind = 'escalation' ORDER BY id", new { complaintId })).ToList();
    }

    [Fact]
    public async Task The_handler_is_warned_at_80_percent_of_the_contact_interval_and_not_before()
    {
        var id = await _w.RegisterComplaintAsync(urgency: 30);
        _s.Clock.Advance(TimeSpan.FromMinutes(23));
        await _w.Sweep.RunAsync();
        Assert.Empty(await NotificationsAsync(id));
        _s.Clock.Advance(TimeSpan.FromMinutes(1));   // 24 min = 80% of 30
        await _w.Sweep.RunAsync();
        Assert.Equal([(_w.Handler.Id, "Notify.Deadline.warned")], await NotificationsAsync(id));
    }

    [Fact]
    public async Task A_missed_contact_deadline_escalates_to_the_manager_then_one_interval_later_to_the_vice_president()
    {
        var id = await _w.RegisterComplaintAsync(urgency: 15);
        _s.Clock.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        await _w.Sweep.RunAsync();
        Assert.DoesNotContain(await NotificationsAsync(id), n => n.MessageKey == "Notify.Deadline.level1");

        _s.Clock.Advance(TimeSpan.FromSeconds(1));
        await _w.Sweep.RunAsync();
        Assert.Contains((_w.Manager.Id, "Notify.Deadline.level1"), await NotificationsAsync(id));
        Assert.Equal(1, (await _w.Complaints.GetAsync(_w.Agent, id))!.EscalationLevel);
        Assert.DoesNotContain(await NotificationsAsync(id), n => n.UserId == _w.VpId);

        _s.Clock.Advance(TimeSpan.FromMinutes(15));
        await _w.Sweep.RunAsync();
        Assert.Contains((_w.VpId, "Notify.Deadline.level2"), await NotificationsAsync(id));
        Assert.Equal(2, (await _w.Complaints.GetAsync(_w.Agent, id))!.EscalationLevel);
        var kinds = (await _w.Complaints.TimelineAsync(Actor.System, id)).Select(e => e.Kind).ToList();
        Assert.Contains("deadline-level1", kinds);
        Assert.Contains("deadline-level2", kinds);
    }

    [Fact]
    public async Task A_complaint_contacted_in_time_is_not_escalated_for_contact()
    {
        var id = await _w.RegisterComplaintAsync(urgency: 60);
        _s.Clock.Advance(TimeSpan.FromMinutes(40));
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        _s.Clock.Advance(TimeSpan.FromHours(3));
        await _w.Sweep.RunAsync();
        Assert.Equal(0, (await _w.Complaints.GetAsync(_w.Agent, id))!.EscalationLevel);
    }

    [Fact]
    public async Task The_reply_deadline_escalates_48_hours_after_registration()
    {
        var id = await _w.RegisterComplaintAsync(urgency: 120);
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        _s.Clock.Advance(TimeSpan.FromHours(48) - TimeSpan.FromMinutes(1));
        await _w.Sweep.RunAsync();
        Assert.Equal(0, (await _w.Complaints.GetAsync(_w.Agent, id))!.EscalationLevel);
        _s.Clock.Advance(TimeSpan.FromMinutes(1));
        await _w.Sweep.RunAsync();
        Assert.Equal(1, (await _w.Complaints.GetAsync(_w.Agent, id))!.EscalationLevel);
    }

    [Fact]
    public async Task Escalation_is_not_repeated_when_the_sweep_runs_twice()
    {
        var id = await _w.RegisterComplaintAsync(urgency: 15);
        _s.Clock.Advance(TimeSpan.FromMinutes(16));
        await _w.Sweep.RunAsync();
        var first = await NotificationsAsync(id);
        var events = (await _w.Complaints.TimelineAsync(Actor.System, id)).Count;
        var again = await _w.Sweep.RunAsync();
        Assert.Equal(0, again.StagesAdvanced);
        Assert.Equal(first, await NotificationsAsync(id));
        Assert.Equal(events, (await _w.Complaints.TimelineAsync(Actor.System, id)).Count);
    }

    [Fact]
    public async Task Two_sweeps_in_parallel_escalate_each_deadline_once()
    {
        var ids = new List<long>();
        for (var i = 0; i < 40; i++) ids.Add(await _w.RegisterComplaintAsync(urgency: 15, content: $"并发测试 {i}"));
        _s.Clock.Advance(TimeSpan.FromMinutes(16));
        var other = new EscalationSweep(_s.Get<Npgsql.NpgsqlDataSource>(), _s.Clock, _s.Get<Microsoft.Extensions.Options.IOptions<ComplaintOptions>>());
        await Task.WhenAll(Task.Run(() => _w.Sweep.RunAsync()), Task.Run(() => other.RunAsync()), Task.Run(() => _w.Sweep.RunAsync()));
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        var perComplaint = (await conn.QueryAsync<(long, long)>("""
            SELECT complaint_id, count(*) FROM notification_inbox
            WHERE complaint_id = ANY(@ids) AND message_key = 'Notify.Deadline.level1' GROUP BY complaint_id
            """, new { ids = ids.ToArray() })).ToList();
        Assert.Equal(ids.Count, perComplaint.Count);
        Assert.All(perComplaint, p => Assert.Equal(1, p.Item2));
        var events = await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM complaint_events WHERE complaint_id = ANY(@ids) AND kind = 'deadline-level1'", new { ids = ids.ToArray() });
        Assert.Equal(ids.Count, events);
    }

    [Fact]
    public async Task The_warning_share_is_configurable()
    {
        var opts = Microsoft.Extensions.Options.Options.Create(new ComplaintOptions { WarnShare = 0.5 });
        var repo = new ComplaintLifecycle(_s.Get<Npgsql.NpgsqlDataSource>(), _s.Clock, opts, _s.Get<ServiceHub.Data.Admin.AuditLog>());
        var id = await _w.RegisterComplaintAsync(dispatch: false);
        await repo.DispatchAsync(_w.Agent, id, _w.DepartmentId, 60);
        _s.Clock.Advance(TimeSpan.FromMinutes(30));
        await _w.Sweep.RunAsync();
        Assert.Contains((_w.Handler.Id, "Notify.Deadline.warned"), await NotificationsAsync(id));
    }

    [Fact]
    public void Deadline_rules()
    {
        var t = new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);
        Assert.Equal(t.AddMinutes(15), Deadlines.ContactDue(t, 15));
        Assert.Equal(t.AddHours(2), Deadlines.ContactDue(t, 120));
        Assert.Throws<ArgumentOutOfRangeException>(() => Deadlines.ContactDue(t, 45));
        Assert.Equal(t.AddHours(48), Deadlines.ReplyDue(t));
        Assert.Equal(t.AddMinutes(24), Deadlines.WarnAt(t, t.AddMinutes(30)));
        Assert.Equal(t.AddMinutes(45), Deadlines.Level2At(t.AddMinutes(30), 15));
    }
}

public sealed class BusinessTimeTests
{
    [Fact]
    public void A_Beijing_wall_clock_time_becomes_a_UTC_instant()
    {
        var t = ServiceHub.Data.Infrastructure.BusinessTime.FromLocal(new DateTime(2026, 11, 27, 8, 5, 0));
        Assert.Equal(TimeSpan.Zero, t.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 0, 5, 0, TimeSpan.Zero), t);
    }
}
