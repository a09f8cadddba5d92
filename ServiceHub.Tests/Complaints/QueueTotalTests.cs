using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;
using ServiceHub.Tests.ReturnVisits;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// The department queue (DOMAIN.md §4, <see cref="ComplaintSql.InQueue"/>) with its total, on hand-checked data: dispatched and contacted
/// complaints of the department, most urgent first (ties by sheet order); handled, closed, merged, undispatched and other departments'
/// complaints out of both the page and the total. Since sql/0240 both are read from the queue's own partial index; since sql/0310 it is on
/// the narrow state rows (<c>complaint_states_department_queue_idx</c>): a filtered total is counted without reading a wide complaint row;
/// since sql/0320 the unfiltered total is kept per department (<c>department_queue_totals</c>) by the state rows' triggers.
/// </summary>
public sealed class QueueTotalTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    private ComplaintWorld W => _w.W;

    private Task<Page<QueueItem>> QueueAsync(QueueFilter? filter = null, int skip = 0, int take = 50) =>
        W.Complaints.QueueAsync(W.Handler, filter ?? new QueueFilter(W.DepartmentId), skip, take);

    /// <summary>The hand-checked department: four in the queue, six beside it. Returns the queue's four in their expected order.</summary>
    private async Task<long[]> DepartmentAsync()
    {
        var contacted = await W.RegisterComplaintAsync(urgency: 60, content: "地库照明不亮");
        await W.Lifecycle.ConfirmContactAsync(W.Handler, contacted, _s.Clock.GetUtcNow(), "电话");   // its reply deadline (48 h) orders it last
        var urgent = await W.RegisterComplaintAsync(urgency: 15, content: "电梯困人");
        var tieFirst = await W.RegisterComplaintAsync(urgency: 30, content: "楼上漏水");
        var tieSecond = await W.RegisterComplaintAsync(urgency: 30, content: "门禁失灵");               // same deadline: by id

        var merged = await W.RegisterComplaintAsync(urgency: 15, content: "邻居也反映楼上漏水");
        await _s.Get<CountingRepository>().MergeAsync(_w.Supervisor, tieFirst, merged);
        await _w.HandledComplaintAsync(needsReturnVisit: true);                                     // handled: out
        var closed = await _w.HandledComplaintAsync(needsReturnVisit: false);                        // closed by the week: out
        await W.RegisterComplaintAsync(dispatch: false);                                             // not dispatched: no department's
        var other = W.ComplaintForm("外墙脱落");
        other.DispatchDepartmentId = W.OtherDepartmentId;
        await W.Intake.RegisterAsync(W.Agent, other);                                                // another department's
        _s.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, (await _w.Sweep.RunAsync()).ClosedOneWeek);
        Assert.Equal(ComplaintStates.Closed, (await _w.ComplaintAsync(closed)).State);
        return [urgent, tieFirst, tieSecond, contacted];
    }

    [Fact]
    public async Task The_queue_and_its_total_hold_only_the_departments_dispatched_and_contacted_unmerged_complaints_most_urgent_first()
    {
        var expected = await DepartmentAsync();

        var page = await QueueAsync();
        Assert.Equal(expected, page.Items.Select(i => i.Id));
        Assert.Equal(4, page.Total);

        var second = await QueueAsync(skip: 1, take: 2);
        Assert.Equal(expected[1..3], second.Items.Select(i => i.Id));
        Assert.Equal(4, second.Total);

        var contactedOnly = await QueueAsync(new QueueFilter(W.DepartmentId, State: ComplaintStates.Contacted));
        Assert.Equal([expected[3]], contactedOnly.Items.Select(i => i.Id));
        Assert.Equal(1, contactedOnly.Total);
        var urgentOnly = await QueueAsync(new QueueFilter(W.DepartmentId, UrgencyMinutes: 15));
        Assert.Equal([expected[0]], urgentOnly.Items.Select(i => i.Id));
        Assert.Equal(1, urgentOnly.Total);
        Assert.Equal(0, (await QueueAsync(new QueueFilter(W.DepartmentId, ProjectId: -1))).Total);
    }

    [Fact]
    public async Task A_complaint_leaves_the_queue_and_its_total_when_handled_and_returns_when_unmerged()
    {
        var expected = await DepartmentAsync();
        await W.Lifecycle.ConfirmContactAsync(W.Handler, expected[0], _s.Clock.GetUtcNow(), "电话");
        await W.Lifecycle.HandleAsync(W.Handler, expected[0], "已修复", "已为您安排维修，问题已解决。", false);
        var merged = await Scalar<long>("SELECT id FROM complaints WHERE merged_into_id = @id", new { id = expected[1] });
        await _s.Get<CountingRepository>().UnmergeAsync(_w.Supervisor, merged);

        var page = await QueueAsync();
        Assert.Equal(4, page.Total);
        Assert.Equal(expected[1..].Append(merged).Order(), page.Items.Select(i => i.Id).Order());
    }

    /// <summary>Departments whose kept queue total (sql/0320) differs from their queue counted from the state rows, as "dept: kept ≠ counted".</summary>
    private Task<IReadOnlyList<string>> KeptTotalsThatDifferAsync() => _w.ScalarListAsync<string>("""
        SELECT coalesce(k.department_id, q.department_id) || ': ' || coalesce(k.total, 0) || ' ≠ ' || coalesce(q.n, 0)
        FROM department_queue_totals k
        FULL JOIN (SELECT department_id, count(*)::int AS n FROM complaint_states
                   WHERE state IN ('dispatched','contacted') AND merged_into_id IS NULL AND department_id IS NOT NULL GROUP BY 1) q
               ON q.department_id = k.department_id
        WHERE coalesce(k.total, 0) <> coalesce(q.n, 0)
        """);

    [Fact]
    public async Task The_kept_total_of_every_department_follows_each_way_a_complaint_enters_or_leaves_a_queue()
    {
        // Registration, dispatch, contact, a merge, handling, the one-week closure, an undispatched and another department's complaint.
        var expected = await DepartmentAsync();
        Assert.Empty(await KeptTotalsThatDifferAsync());
        Assert.Equal(4, (await QueueAsync()).Total);

        // A transfer leaves one department's queue and enters another's, in one statement.
        await W.Lifecycle.TransferAsync(W.Manager, expected[0], "项目无法解决");
        Assert.Empty(await KeptTotalsThatDifferAsync());
        Assert.Equal(3, (await QueueAsync()).Total);

        // An unmerge brings the merged complaint back into its queue.
        var merged = await Scalar<long>("SELECT id FROM complaints WHERE merged_into_id = @id", new { id = expected[1] });
        await _s.Get<CountingRepository>().UnmergeAsync(_w.Supervisor, merged);
        Assert.Empty(await KeptTotalsThatDifferAsync());
        Assert.Equal(4, (await QueueAsync()).Total);

        // Set-based statements over several departments at once: states changed directly, departments changed on the wide rows (the
        // copies follow, and the totals with them), a deadline moved (no queue changes).
        await _w.ExecuteAsync("UPDATE complaint_states SET state = 'handled' WHERE complaint_id = ANY (@ids)", new { ids = new[] { expected[2], expected[0] } });
        Assert.Empty(await KeptTotalsThatDifferAsync());
        await _w.ExecuteAsync("UPDATE complaint_states SET state = 'contacted' WHERE complaint_id = ANY (@ids)", new { ids = new[] { expected[2], expected[0] } });
        await _w.ExecuteAsync("UPDATE complaints SET department_id = @other WHERE id = ANY (@ids)",
            new { other = W.OtherDepartmentId, ids = new[] { expected[1], expected[3], merged } });
        Assert.Empty(await KeptTotalsThatDifferAsync());
        await _w.ExecuteAsync("UPDATE complaints SET current_due_at = current_due_at + interval '1 hour' WHERE id = ANY (@ids)", new { ids = expected });
        Assert.Empty(await KeptTotalsThatDifferAsync());
        var left = await QueueAsync();
        Assert.Equal((1, expected[2]), (left.Total, Assert.Single(left.Items).Id));
    }

    [Fact]
    public async Task The_unfiltered_total_is_read_from_the_departments_kept_total_not_counted()
    {
        await DepartmentAsync();
        await using var conn = new NpgsqlConnection(_s.ConnectionString);
        var plan = string.Join("\n", await conn.QueryAsync<string>("EXPLAIN " + ComplaintRepository.QueueTotalSql, new { DepartmentId = W.DepartmentId }));
        Assert.Contains("department_queue_totals", plan);
        Assert.DoesNotContain("complaint_states", plan);
        Assert.Equal(4, await conn.ExecuteScalarAsync<int>(ComplaintRepository.QueueTotalSql, new { DepartmentId = W.DepartmentId }));
    }

    [Fact]
    public async Task A_filtered_queue_total_is_counted_from_the_queue_index_alone()
    {
        await DepartmentAsync();
        await using var conn = new NpgsqlConnection(_s.ConnectionString);
        await conn.OpenAsync();
        // A table this small would be read whole; the test asks which index can answer, as at 1,000,000 complaints.
        await conn.ExecuteAsync("VACUUM complaint_states");
        await conn.ExecuteAsync("SET enable_seqscan = off");
        await conn.ExecuteAsync("SET enable_bitmapscan = off");
        var plan = string.Join("\n", await conn.QueryAsync<string>("EXPLAIN " + ComplaintRepository.QueueCountSql,
            new { DepartmentId = W.DepartmentId, ProjectId = (int?)null, UrgencyMinutes = (int?)null, State = (string?)null }));
        Assert.Contains("Index Only Scan using complaint_states_department_queue_idx", plan);
        Assert.DoesNotContain("Filter", plan);
    }
}
