using Dapper;
using ServiceHub.Data.Notifications;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;
using ServiceHub.Tests.ReturnVisits;

namespace ServiceHub.Tests.Notifications;

/// <summary>Issue #13 point 2: "return visit due" is an event of its own; a person who chose e-mail for it gets one when a visit is assigned to them.</summary>
public sealed class ReturnVisitOutboxTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    [Fact]
    public async Task A_return_visit_assigned_to_someone_who_chose_email_for_it_queues_one_email_to_them_and_nothing_by_default()
    {
        await _w.Visits.SaveSettingsAsync(_w.Supervisor, new SettingsForm { AssignRule = AssignRules.RoundRobin, DueHours = 24, MaxFailedAttempts = 3 });
        var preferences = _s.Get<NotificationPreferences>();
        await preferences.SaveMineAsync(_w.Visitor, new NotificationSettingsForm
        {
            Email = "visitor1@example.cn", Choices = [new NotificationChoice(NotificationEvents.ReturnVisitDue, NotificationChannels.Email, true, false)],
        });
        // The other member gave an address but kept the default (off) for return visits.
        await preferences.SaveMineAsync(_w.Visitor2, new NotificationSettingsForm { Email = "visitor2@example.cn" });

        var ids = new[] { await _w.HandledComplaintAsync(), await _w.HandledComplaintAsync() };

        await using var conn = new Npgsql.NpgsqlConnection(Db.ConnectionString);
        var assignees = (await conn.QueryAsync<(long ComplaintId, int AssigneeId)>(
            "SELECT complaint_id, assignee_id FROM return_visit_tasks WHERE complaint_id = ANY(@ids)", new { ids })).ToDictionary(r => r.ComplaintId, r => r.AssigneeId);
        var rows = (await conn.QueryAsync<(string Channel, string EventKind, string Address, long SubjectId)>(
            "SELECT channel, event_kind, address, subject_id FROM outbox_messages WHERE event_kind = @kind AND address LIKE 'visitor%' ORDER BY id",
            new { kind = NotificationEvents.ReturnVisitDue })).ToList();
        var mine = ids.Where(id => assignees[id] == _w.Visitor.Id).ToList();
        Assert.Single(mine); // round robin: one each
        Assert.Equal(mine.Select(id => (NotificationChannels.Email, NotificationEvents.ReturnVisitDue, "visitor1@example.cn", id)), rows);
    }
}
