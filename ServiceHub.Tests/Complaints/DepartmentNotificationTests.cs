using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// The escalation sweep's warning of a complaint nobody handles yet is one department event read through the department's handlers of
/// that moment (sql/0250_department_notifications.sql), not a row per handler: each of them finds it in the bell with the unread
/// count, reads it for themselves only, and is pushed it live; a handler who joins later does not see it, one who leaves keeps it.
/// </summary>
public sealed class DepartmentNotificationTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private NotificationRepository Inbox => _s.Get<NotificationRepository>();

    private readonly List<int> _readers = [];

    private async Task<Actor> HandlerAsync(string name)
    {
        var person = await _w.PersonAsync($"{name}-{Guid.NewGuid():N}"[..20], Roles.Handler, _w.DepartmentId, name);
        _readers.Add(person.Id);
        return person;
    }

    /// <summary>
    /// A complaint dispatched to the department, nobody handling it, swept at 80% of its 30-minute contact interval. The department's
    /// handlers (<see cref="_readers"/>) read the dispatch notice first, so their unread count holds the sweep's warnings only.
    /// </summary>
    private async Task<long> WarnedAsync()
    {
        var id = await _w.RegisterComplaintAsync(urgency: 30);
        foreach (var person in _readers.Append(_w.Handler.Id))
            foreach (var notice in (await Inbox.RecentAsync(person, 50)).Where(n => n.ComplaintId == id && n.ReadAt is null))
                await Inbox.MarkReadAsync(person, notice.Id);
        _s.Clock.Advance(TimeSpan.FromMinutes(24));
        await _w.Sweep.RunAsync();
        return id;
    }

    private async Task<Notification?> WarningAsync(int userId, long complaintId) =>
        (await Inbox.RecentAsync(userId, 50)).SingleOrDefault(n => n.ComplaintId == complaintId && n.MessageKey == "Notify.Deadline.warned");

    [Fact]
    public async Task Each_handler_of_the_department_finds_the_warning_in_the_bell_with_the_unread_count_from_one_row()
    {
        var second = await HandlerAsync("处理人二");
        var before = (await Inbox.UnreadCountAsync(_w.Handler.Id), await Inbox.UnreadCountAsync(second.Id), await Inbox.UnreadCountAsync(_w.OtherHandler.Id));
        var id = await WarnedAsync();

        foreach (var person in new[] { _w.Handler.Id, second.Id })
        {
            var n = await WarningAsync(person, id);
            Assert.NotNull(n);
            Assert.Null(n.ReadAt);
            Assert.Equal("escalation", n.Kind);
            Assert.Equal($"/complaints/{id}", n.Link);
            Assert.Equal("contact", n.Args[1]);
            Assert.Equal(_s.Clock.GetUtcNow(), n.CreatedAt);
        }
        Assert.Equal(before.Item1 + 1, await Inbox.UnreadCountAsync(_w.Handler.Id));
        Assert.Equal(before.Item2 + 1, await Inbox.UnreadCountAsync(second.Id));
        Assert.Equal(before.Item3, await Inbox.UnreadCountAsync(_w.OtherHandler.Id));
        Assert.Null(await WarningAsync(_w.OtherHandler.Id, id));
        // Written once for the department, not once per handler.
        Assert.Equal(1, await _w.ScalarAsync<int>("SELECT count(*)::int FROM department_notifications WHERE complaint_id = @id AND kind = 'escalation'", new { id }));
        Assert.Equal(0, await _w.ScalarAsync<int>("SELECT count(*)::int FROM notifications WHERE complaint_id = @id AND kind = 'escalation'", new { id }));
    }

    [Fact]
    public async Task Reading_the_warning_marks_it_read_for_that_person_only()
    {
        var second = await HandlerAsync("处理人二");
        var id = await WarnedAsync();
        var mine = (await WarningAsync(_w.Handler.Id, id))!;
        var theirs = await Inbox.UnreadCountAsync(second.Id);
        var before = await Inbox.UnreadCountAsync(_w.Handler.Id);

        _s.Clock.Advance(TimeSpan.FromMinutes(1));
        await Inbox.MarkReadAsync(_w.Handler.Id, mine.Id);

        Assert.Equal(before - 1, await Inbox.UnreadCountAsync(_w.Handler.Id));
        Assert.Equal(_s.Clock.GetUtcNow(), (await WarningAsync(_w.Handler.Id, id))!.ReadAt);
        Assert.Equal(theirs, await Inbox.UnreadCountAsync(second.Id));
        Assert.Null((await WarningAsync(second.Id, id))!.ReadAt);
        // Someone outside the department cannot mark it (nor read it) by its id.
        await Inbox.MarkReadAsync(_w.OtherHandler.Id, mine.Id);
        Assert.Null((await WarningAsync(second.Id, id))!.ReadAt);
    }

    [Fact]
    public async Task Mark_all_read_clears_the_count_and_a_later_warning_counts_again()
    {
        var first = await WarnedAsync();
        var second = await WarnedAsync();
        Assert.True(await Inbox.UnreadCountAsync(_w.Handler.Id) >= 2);

        await Inbox.MarkReadAsync(_w.Handler.Id);
        Assert.Equal(0, await Inbox.UnreadCountAsync(_w.Handler.Id));
        Assert.NotNull((await WarningAsync(_w.Handler.Id, first))!.ReadAt);
        Assert.NotNull((await WarningAsync(_w.Handler.Id, second))!.ReadAt);

        var third = await WarnedAsync();
        Assert.Equal(1, await Inbox.UnreadCountAsync(_w.Handler.Id));
        Assert.Null((await WarningAsync(_w.Handler.Id, third))!.ReadAt);
        Assert.NotNull((await WarningAsync(_w.Handler.Id, first))!.ReadAt);
    }

    [Fact]
    public async Task Reading_a_newer_warning_first_leaves_the_older_one_unread()
    {
        var older = await WarnedAsync();
        var newer = await WarnedAsync();
        await Inbox.MarkReadAsync(_w.Handler.Id);
        var oldest = await WarnedAsync();
        var newest = await WarnedAsync();

        await Inbox.MarkReadAsync(_w.Handler.Id, (await WarningAsync(_w.Handler.Id, newest))!.Id);

        Assert.Equal(1, await Inbox.UnreadCountAsync(_w.Handler.Id));
        Assert.Null((await WarningAsync(_w.Handler.Id, oldest))!.ReadAt);
        foreach (var id in new[] { older, newer, newest }) Assert.NotNull((await WarningAsync(_w.Handler.Id, id))!.ReadAt);
        await Inbox.MarkReadAsync(_w.Handler.Id, (await WarningAsync(_w.Handler.Id, oldest))!.Id);
        Assert.Equal(0, await Inbox.UnreadCountAsync(_w.Handler.Id));
    }

    [Fact]
    public async Task A_handler_who_joins_later_does_not_see_earlier_warnings_and_one_who_leaves_keeps_theirs()
    {
        var leaving = await HandlerAsync("调离者");
        var before = await WarnedAsync();

        var joining = await HandlerAsync("新来者");
        await _w.ExecuteAsync("UPDATE users SET department_id = @other WHERE id = @id", new { other = _w.OtherDepartmentId, id = leaving.Id });
        var after = await WarnedAsync();

        Assert.Null(await WarningAsync(joining.Id, before));
        Assert.NotNull(await WarningAsync(joining.Id, after));
        Assert.Equal(1, await Inbox.UnreadCountAsync(joining.Id));

        Assert.NotNull(await WarningAsync(leaving.Id, before));
        Assert.Null(await WarningAsync(leaving.Id, after));
        Assert.Equal(1, await Inbox.UnreadCountAsync(leaving.Id));

        Assert.NotNull(await WarningAsync(_w.Handler.Id, before));
        Assert.NotNull(await WarningAsync(_w.Handler.Id, after));
    }

    [Fact]
    public async Task The_warning_is_pushed_live_to_each_handler_of_the_department_when_the_sweep_commits()
    {
        var second = await HandlerAsync("处理人二");
        await using var listen = new NpgsqlConnection(_w.ConnectionString);
        await listen.OpenAsync();
        var payloads = new List<string>();
        listen.Notification += (_, e) => payloads.Add(e.Payload);
        await using (var cmd = new NpgsqlCommand("LISTEN servicehub_notifications", listen)) await cmd.ExecuteNonQueryAsync();

        await WarnedAsync();
        // One round trip on the listening connection delivers what was committed before it.
        await using (var cmd = new NpgsqlCommand("SELECT 1", listen)) await cmd.ExecuteScalarAsync();

        var announced = payloads.SelectMany(p => p.Split(',')).ToHashSet();
        Assert.Contains(_w.Handler.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), announced);
        Assert.Contains(second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), announced);
        Assert.DoesNotContain(_w.OtherHandler.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), announced);
    }

    [Fact]
    public async Task The_sweep_counts_one_notification_per_handler_reached()
    {
        await HandlerAsync("处理人二");
        await _w.RegisterComplaintAsync(urgency: 30);
        _s.Clock.Advance(TimeSpan.FromMinutes(24));
        var r = await _w.Sweep.RunAsync();
        Assert.Equal(1, r.StagesAdvanced);
        Assert.Equal(2, r.Notifications);
    }
}
