using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

/// <summary>Counting rule 3 in the department's daily work: a merged complaint is handled through the one it was merged into.</summary>
public sealed class MergeHandlingTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private Actor Supervisor => new(_w.Agent.Id, _w.Agent.UserName, "主管", [Roles.CsSupervisor], _w.CsDepartmentId);
    private CountingRepository Counting => _s.Get<CountingRepository>();

    private async Task<IReadOnlyList<long>> QueueAsync() =>
        (await _w.Complaints.QueueAsync(_w.Handler, new QueueFilter(_w.DepartmentId), 0, 50)).Items.Select(i => i.Id).ToList();

    [Fact]
    public async Task A_merged_complaint_leaves_the_queue_does_not_escalate_and_refuses_actions_naming_the_surviving_complaint()
    {
        var survivor = await _w.RegisterComplaintAsync(urgency: 15);
        var merged = await _w.RegisterComplaintAsync(urgency: 15, content: "邻居也反映楼上漏水");
        await Counting.MergeAsync(Supervisor, survivor, merged);

        Assert.Equal([survivor], await QueueAsync());
        _s.Clock.Advance(TimeSpan.FromMinutes(40));
        await _w.Sweep.RunAsync();
        Assert.Equal(2, (await _w.Complaints.GetAsync(_w.Agent, survivor))!.EscalationLevel);
        var m = (await _w.Complaints.GetAsync(_w.Agent, merged))!;
        Assert.Equal(0, m.EscalationLevel);
        Assert.Equal((await _w.Complaints.GetAsync(_w.Agent, survivor))!.SheetNo, m.MergedIntoSheetNo);

        var refused = await Assert.ThrowsAsync<DomainException>(() => _w.Lifecycle.ConfirmContactAsync(_w.Handler, merged, _s.Clock.GetUtcNow(), "电话"));
        Assert.Equal("Complaint.MergedInto", refused.Code);
        Assert.Equal(m.MergedIntoSheetNo, refused.Args.Single());
    }

    [Fact]
    public async Task An_unmerged_complaint_returns_to_the_queue_and_escalates_for_the_deadline_it_missed_meanwhile()
    {
        var survivor = await _w.RegisterComplaintAsync(urgency: 15);
        var merged = await _w.RegisterComplaintAsync(urgency: 15, content: "邻居也反映楼上漏水");
        await Counting.MergeAsync(Supervisor, survivor, merged);
        _s.Clock.Advance(TimeSpan.FromMinutes(20));
        await _w.Sweep.RunAsync();
        Assert.Equal(0, (await _w.Complaints.GetAsync(_w.Agent, merged))!.EscalationLevel);

        await Counting.UnmergeAsync(Supervisor, merged);
        Assert.Contains(merged, await QueueAsync());
        await _w.Sweep.RunAsync();
        Assert.Equal(1, (await _w.Complaints.GetAsync(_w.Agent, merged))!.EscalationLevel);
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, merged, _s.Clock.GetUtcNow(), "电话");
    }
}
