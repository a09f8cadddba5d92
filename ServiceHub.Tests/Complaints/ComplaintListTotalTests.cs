using ServiceHub.Data.Complaints;
using ServiceHub.Tests.Infrastructure;
using ServiceHub.Tests.ReturnVisits;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// The complaint list (<see cref="ComplaintRepository.SearchAsync"/>) and its total on hand-checked data, for every combination of its
/// filters: a complaint in each state (registered, dispatched, contacted, handled, closed; the state read from its state row,
/// sql/0310), in the department, another department and none. The total is counted by one of four statements
/// (<see cref="ComplaintRepository.ListCountSql"/>: with or without a text, with or without a state); each must count exactly the rows
/// the pages list, newest first.
/// </summary>
public sealed class ComplaintListTotalTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    private ComplaintWorld W => _w.W;

    [Fact]
    public async Task The_list_total_counts_exactly_the_complaints_the_pages_show_for_every_text_state_and_department()
    {
        // A mark of this test's complaints: other worlds share the database, so a list without a department is read by this mark only.
        var tag = $"#{Random.Shared.Next(100_000, 1_000_000)}";
        var known = new Dictionary<long, (string State, int? DepartmentId, string Content)>();
        async Task<long> Add(long id, string state, int? departmentId, string content)
        {
            known[id] = (state, departmentId, content);
            Assert.Equal(state, (await _w.ComplaintAsync(id)).State);
            return id;
        }

        var closed = await _w.HandledComplaintAsync(needsReturnVisit: false, content: $"门禁{tag}已修好");
        _s.Clock.Advance(TimeSpan.FromDays(7));
        await _w.Sweep.RunAsync();
        await Add(closed, ComplaintStates.Closed, W.DepartmentId, $"门禁{tag}已修好");
        _s.Clock.Advance(TimeSpan.FromMinutes(1));
        await Add(await _w.HandledComplaintAsync(needsReturnVisit: true, content: $"电梯{tag}停运"), ComplaintStates.Handled, W.DepartmentId, $"电梯{tag}停运");
        _s.Clock.Advance(TimeSpan.FromMinutes(1));
        await Add(await W.RegisterComplaintAsync(dispatch: false, content: $"门禁{tag}未派"), ComplaintStates.Registered, null, $"门禁{tag}未派");
        var contacted = await W.RegisterComplaintAsync(content: $"门禁{tag}报警");
        await W.Lifecycle.ConfirmContactAsync(W.Handler, contacted, _s.Clock.GetUtcNow(), "电话");
        await Add(contacted, ComplaintStates.Contacted, W.DepartmentId, $"门禁{tag}报警");
        // Two dispatched at the same moment: the newer id first.
        await Add(await W.RegisterComplaintAsync(content: $"门禁{tag}失灵"), ComplaintStates.Dispatched, W.DepartmentId, $"门禁{tag}失灵");
        await Add(await W.RegisterComplaintAsync(content: $"电梯{tag}异响"), ComplaintStates.Dispatched, W.DepartmentId, $"电梯{tag}异响");
        var other = W.ComplaintForm($"门禁{tag}外墙");
        other.DispatchDepartmentId = W.OtherDepartmentId;
        await Add((await W.Intake.RegisterAsync(W.Agent, other)).ComplaintId!.Value, ComplaintStates.Dispatched, W.OtherDepartmentId, $"门禁{tag}外墙");

        string?[] states = [null, .. ComplaintStates.All];
        var checkedLists = 0;
        foreach (var text in new string?[] { null, tag, $"门禁{tag}", $"电梯{tag}" })
        foreach (var state in states)
        foreach (var departmentId in new int?[] { null, W.DepartmentId, W.OtherDepartmentId })
        {
            if (text is null && departmentId is null) continue;   // every world's complaints
            var expected = known.Where(k => (text is null || k.Value.Content.Contains(text)) && (state is null || k.Value.State == state)
                                            && (departmentId is null || k.Value.DepartmentId == departmentId)).Select(k => k.Key).ToHashSet();
            var page = await W.Complaints.SearchAsync(W.Agent, text, state, departmentId, 0, 100);
            var ids = page.Items.Select(i => i.Id).Where(known.ContainsKey).ToList();
            var label = $"text {text ?? "-"}, state {state ?? "-"}, department {departmentId?.ToString() ?? "-"}";
            Assert.True(expected.SetEquals(ids), $"{label}: listed {string.Join(',', ids)}, expected {string.Join(',', expected)}");
            Assert.True(page.Items.Count == page.Total, $"{label}: {page.Items.Count} listed, total {page.Total}");
            Assert.All(page.Items, i => Assert.True(state is null || i.State == state, $"{label}: {i.Id} is {i.State}"));
            var newestFirst = page.Items.OrderByDescending(i => i.RegisteredAt).ThenByDescending(i => i.Id).Select(i => i.Id);
            Assert.Equal(newestFirst, page.Items.Select(i => i.Id));
            checkedLists++;
        }
        Assert.Equal(4 * 6 * 3 - 6 * 1, checkedLists);

        // A page further on keeps the order and the total (an open state's list walks its index on the state rows).
        var all = await W.Complaints.SearchAsync(W.Agent, tag, ComplaintStates.Dispatched, null, 0, 100);
        var second = await W.Complaints.SearchAsync(W.Agent, tag, ComplaintStates.Dispatched, null, 1, 1);
        Assert.Equal(3, all.Total);
        Assert.Equal(3, second.Total);
        Assert.Equal([all.Items[1].Id], second.Items.Select(i => i.Id));
    }
}
