using Dapper;
using ServiceHub.Data.Notifications;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Notifications;

/// <summary>The escalation sweep queues its messages in the statement that escalates (set-based), once.</summary>
public sealed class EscalationOutboxTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    [Fact]
    public async Task A_sweep_that_escalates_many_complaints_queues_one_email_each_to_the_manager_and_a_second_sweep_nothing()
    {
        await _s.Get<NotificationPreferences>().SaveMineAsync(_w.Manager, new NotificationSettingsForm { Email = "mgr@example.cn" });
        var ids = new List<long>();
        for (var i = 0; i < 25; i++) ids.Add(await _w.RegisterComplaintAsync(urgency: 15, content: $"楼道灯不亮，第 {i} 次反映"));
        _s.Clock.Advance(TimeSpan.FromMinutes(15));
        var first = await _w.Sweep.RunAsync();
        var second = await _w.Sweep.RunAsync();

        await using var conn = new Npgsql.NpgsqlConnection(Db.ConnectionString);
        var rows = (await conn.QueryAsync<(string Channel, string EventKind, string Address, long SubjectId, string Link)>("""
            SELECT channel, event_kind, address, subject_id, link FROM outbox_messages ORDER BY subject_id
            """)).AsList();
        Assert.Equal(ids, rows.Select(r => r.SubjectId));
        Assert.All(rows, r => Assert.Equal((NotificationChannels.Email, NotificationEvents.ComplaintEscalated, "mgr@example.cn", $"/complaints/{r.SubjectId}"),
            (r.Channel, r.EventKind, r.Address, r.Link)));
        Assert.True(first.StagesAdvanced >= 25);
        Assert.Equal(0, second.StagesAdvanced);
    }
}
