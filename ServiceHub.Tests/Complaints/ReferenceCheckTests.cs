using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// The references of notifications (person, complaint) and of timeline events (complaint) are checked once per statement
/// (<c>sql/0220_references_checked_per_statement.sql</c>) instead of by per-row foreign keys: the same rule — a row naming a person or
/// complaint that does not exist is refused, and so is deleting one still named — with SQLSTATE 23503 as a foreign key gives.
/// </summary>
public sealed class ReferenceCheckTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private async Task<PostgresException> RefusedAsync(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        var e = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(sql, args));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, e.SqlState);
        return e;
    }

    [Fact]
    public async Task A_notification_for_a_person_or_complaint_that_does_not_exist_is_refused_with_the_whole_statement()
    {
        var id = await _w.RegisterComplaintAsync();
        var e = await RefusedAsync("""
            INSERT INTO notifications (user_id, created_at, kind, complaint_id, message_key, link)
            VALUES (@user, now(), 't', @id, 'k', ''), (-1, now(), 't', @id, 'k', '')
            """, new { user = _w.Handler.Id, id });
        Assert.Contains("users id -1", e.MessageText);
        await RefusedAsync("INSERT INTO notifications (user_id, created_at, kind, complaint_id, message_key, link) VALUES (@user, now(), 't', -5, 'k', '')",
            new { user = _w.Handler.Id });
        Assert.Equal(0, await Scalar<int>("SELECT count(*)::int FROM notifications WHERE kind = 't'"));
    }

    [Fact]
    public async Task A_timeline_event_of_a_complaint_that_does_not_exist_is_refused()
    {
        var e = await RefusedAsync("INSERT INTO complaint_events (complaint_id, at, actor_name, kind) VALUES (-7, now(), 'system', 'note')");
        Assert.Contains("complaints id -7", e.MessageText);
    }

    [Fact]
    public async Task A_person_still_named_by_a_notification_cannot_be_deleted()
    {
        var id = await _w.RegisterComplaintAsync();
        var person = await _w.PersonAsync($"n-{Guid.NewGuid():N}"[..20], Roles.Handler, _w.OtherDepartmentId, "被通知人");
        await _w.ScalarAsync<int>("""
            INSERT INTO notifications (user_id, created_at, kind, complaint_id, message_key, link) VALUES (@u, now(), 't', @id, 'k', '') RETURNING 1
            """, new { u = person.Id, id });
        var e = await RefusedAsync("DELETE FROM users WHERE id = @u", new { u = person.Id });
        Assert.Contains("still referenced from notifications", e.MessageText);
        await _w.ScalarAsync<int>("DELETE FROM notifications WHERE user_id = @u RETURNING 1", new { u = person.Id });
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        Assert.Equal(1, await conn.ExecuteAsync("DELETE FROM users WHERE id = @u", new { u = person.Id }));
    }

    [Fact]
    public async Task A_complaint_with_no_handler_warns_each_active_handler_of_its_department_once()
    {
        var second = await _w.PersonAsync($"h2-{Guid.NewGuid():N}"[..20], Roles.Handler, _w.DepartmentId, "处理人二");
        var gone = await _w.PersonAsync($"h3-{Guid.NewGuid():N}"[..20], Roles.Handler, _w.DepartmentId, "已停用");
        await _w.ScalarAsync<int>("UPDATE users SET is_active = false WHERE id = @id RETURNING id", new { id = gone.Id });
        var id = await _w.RegisterComplaintAsync();
        _s.Clock.Advance(TimeSpan.FromMinutes(24));
        await _w.Sweep.RunAsync();
        await _w.Sweep.RunAsync();
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        var warned = (await conn.QueryAsync<int>(
            "SELECT user_id FROM notification_inbox WHERE complaint_id = @id AND message_key = 'Notify.Deadline.warned' ORDER BY user_id", new { id })).ToList();
        Assert.Equal(new[] { _w.Handler.Id, second.Id }.Order(), warned);
        Assert.Equal(1, await Scalar<int>("SELECT count(*)::int FROM notification_inbox WHERE user_id = @u AND complaint_id = @id AND kind = 'escalation'", new { u = second.Id, id }));
    }
}
