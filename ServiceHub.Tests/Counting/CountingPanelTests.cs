using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Counting;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

/// <summary>
/// A complaint's counting panel shows in full to those who may count (ComplaintPermissions.MayCount); a department's handler sees
/// the classification alone while they may classify, and nothing once they may not, and the panel reads no voices, split-offs or hot
/// report for them (issue #14 point 6: a dozen disabled fields and three queries per complaint opened).
/// </summary>
public sealed class CountingPanelTests(DatabaseFixture db) : WorldTests<CountingWorld>(db)
{
    private BunitContext Context(Actor who) => BunitSetup.Create(services: s =>
    {
        s.AddSingleton(_s.Get<CountingRepository>());
        s.AddSingleton(_s.Get<HotComplaintRepository>());
        s.AddSingleton(_s.Get<CalendarRepository>());
        s.AddSingleton<TimeProvider>(_s.Clock);
        s.AddScoped<CurrentUser>();
    }, auth: a => a.SignedInAs(who));

    [Fact]
    public async Task The_handler_sees_only_the_classification_and_the_counting_details_are_not_read()
    {
        var complaint = await _w.ComplaintAsync();
        await using var ctx = Context(_w.W.Handler);
        using var splitOffs = new QueryCounter(Db.ConnectionString, "split_from_id =");
        using var hot = new QueryCounter(Db.ConnectionString, "h.complaint_id =");

        var panel = ctx.Render<ComplaintCountingPanel>(p => p.Add(x => x.ComplaintId, complaint));

        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=root-cause-select]")));
        Assert.NotNull(panel.Find("[data-testid=classify]"));
        foreach (var counting in new[] { "verification-state", "voices", "complainants", "post-url", "follow-ups", "heat", "offline-impact" })
            Assert.Empty(panel.FindAll($"[data-testid={counting}]"));
        Assert.Equal(0, splitOffs.Count);
        Assert.Equal(0, hot.Count);
    }

    [Fact]
    public async Task The_supervisor_sees_the_whole_panel()
    {
        var complaint = await _w.ComplaintAsync();
        await using var ctx = Context(_w.Supervisor);

        var panel = ctx.Render<ComplaintCountingPanel>(p => p.Add(x => x.ComplaintId, complaint));

        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=verification-state]")));
        foreach (var counting in new[] { "root-cause-select", "voices", "times", "post-url", "merge-sheet", "verify-counted", "flag-hot" })
            Assert.NotNull(panel.Find($"[data-testid={counting}]"));
    }

    [Fact]
    public async Task The_handler_sees_no_counting_panel_once_they_may_not_classify()
    {
        var complaint = await _w.ComplaintAsync();
        await _w.ExecuteAsync("UPDATE complaints SET handled_at = now() WHERE id = @complaint", new { complaint });
        await _w.ExecuteAsync("UPDATE complaint_states SET state = 'handled' WHERE complaint_id = @complaint", new { complaint });
        await using var handled = Context(_w.W.Handler);
        var panel = handled.Render<ComplaintCountingPanel>(p => p.Add(x => x.ComplaintId, complaint));
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=root-cause-select]")));

        await _w.Counting.ClassifyAsync(_w.W.Handler, complaint, await _w.LeafRootCauseAsync());
        await _w.ExecuteAsync("UPDATE complaint_states SET state = 'closed', closed_at = now() WHERE complaint_id = @complaint", new { complaint });
        await using var closed = Context(_w.W.Handler);
        var none = closed.Render<ComplaintCountingPanel>(p => p.Add(x => x.ComplaintId, complaint));
        none.WaitForAssertion(() => Assert.Empty(none.FindAll(".mud-progress-linear")));
        Assert.Empty(none.FindAll("[data-testid=counting-panel]"));
    }

    [Theory]
    [InlineData(Roles.Agent, true)]
    [InlineData(Roles.CsSupervisor, true)]
    [InlineData(Roles.Admin, true)]
    [InlineData(Roles.Handler, false)]
    [InlineData(Roles.DeptManager, false)]
    [InlineData(Roles.ReturnVisit, false)]
    public void Only_the_call_centre_and_the_cs_supervisor_may_count(string role, bool mayCount) =>
        Assert.Equal(mayCount, ComplaintPermissions.MayCount(new Actor(1, role, role, [role], 7)));
}
