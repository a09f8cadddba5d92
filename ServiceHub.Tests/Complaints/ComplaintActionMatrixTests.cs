using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Counting;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// "Which actions may this user take on this complaint now" is answered once, by the Data layer: the page renders the answer and
/// the lifecycle refuses exactly what the answer leaves out.
/// </summary>
public sealed class ComplaintActionMatrixTests
{
    private const int Dept = 7;
    private static Actor Who(string role, int? dept = null) => new(1, role, role, [role], dept);

    public static TheoryData<string, string, bool, string> DeskMatrix => new()
    {
        // state, who, merged, the desk's actions offered (as the complaint page showed them before, now from the Data layer)
        { ComplaintStates.Registered, "agent", false, "dispatch" },
        { ComplaintStates.Registered, "supervisor", false, "dispatch" },
        { ComplaintStates.Registered, "handler", false, "" },
        { ComplaintStates.Dispatched, "handler", false, "contact note extend transfer" },
        { ComplaintStates.Dispatched, "manager", false, "contact note extend transfer" },
        { ComplaintStates.Dispatched, "supervisor", false, "contact note extend transfer" },
        { ComplaintStates.Dispatched, "other-handler", false, "" },
        { ComplaintStates.Dispatched, "agent", false, "" },
        { ComplaintStates.Contacted, "handler", false, "handle note extend feedback transfer" },
        { ComplaintStates.Contacted, "supervisor", false, "handle note extend feedback transfer" },
        { ComplaintStates.Contacted, "return-visit", false, "" },
        { ComplaintStates.Handled, "handler", false, "" },
        { ComplaintStates.Handled, "supervisor", false, "" },
        { ComplaintStates.Closed, "supervisor", false, "" },
        // A merged complaint is handled through the complaint it was merged into.
        { ComplaintStates.Dispatched, "handler", true, "" },
        { ComplaintStates.Registered, "agent", true, "" },
    };

    private static Actor Named(string who) => who switch
    {
        "agent" => Who(Roles.Agent),
        "supervisor" => Who(Roles.CsSupervisor),
        "handler" => Who(Roles.Handler, Dept),
        "manager" => Who(Roles.DeptManager, Dept),
        "other-handler" => Who(Roles.Handler, Dept + 1),
        "return-visit" => Who(Roles.ReturnVisit),
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    };

    [Theory]
    [MemberData(nameof(DeskMatrix))]
    public void The_desk_offers_each_role_the_actions_of_the_complaints_state(string state, string who, bool merged, string expected)
    {
        var desk = ComplaintPermissions.Allowed(Named(who), state, Dept, merged).Where(ComplaintAction.Desk.Contains);
        Assert.Equal(expected, string.Join(' ', desk));
    }

    [Fact]
    public void Counting_actions_follow_the_same_matrix()
    {
        var supervisor = ComplaintPermissions.Allowed(Named("supervisor"), ComplaintStates.Handled, Dept, merged: false);
        Assert.Superset(new HashSet<string> { ComplaintAction.Classify, ComplaintAction.Verify, ComplaintAction.Impact, ComplaintAction.Merge, ComplaintAction.FlagHot }, supervisor.ToHashSet());
        Assert.DoesNotContain(ComplaintAction.Unmerge, supervisor);
        // The department classifies its own complaint until it is closed; the supervisor verifies only a group's surviving complaint.
        Assert.Contains(ComplaintAction.Classify, ComplaintPermissions.Allowed(Named("handler"), ComplaintStates.Handled, Dept, false));
        Assert.DoesNotContain(ComplaintAction.Classify, ComplaintPermissions.Allowed(Named("handler"), ComplaintStates.Closed, Dept, false));
        Assert.DoesNotContain(ComplaintAction.Classify, ComplaintPermissions.Allowed(Named("other-handler"), ComplaintStates.Handled, Dept, false));
        var merged = ComplaintPermissions.Allowed(Named("supervisor"), ComplaintStates.Dispatched, Dept, merged: true);
        Assert.Contains(ComplaintAction.Unmerge, merged);
        Assert.DoesNotContain(ComplaintAction.Verify, merged);
        Assert.DoesNotContain(ComplaintAction.Impact, merged);
        // After a missed reply deadline only the department's manager (or the CS side) agrees a new date; the CS supervisor decides
        // whether a return visit is needed, until the complaint is closed.
        Assert.Contains(ComplaintAction.AgreeDate, ComplaintPermissions.Allowed(Named("manager"), ComplaintStates.Contacted, Dept, false));
        Assert.DoesNotContain(ComplaintAction.AgreeDate, ComplaintPermissions.Allowed(Named("handler"), ComplaintStates.Contacted, Dept, false));
        Assert.Contains(ComplaintAction.ReturnVisitNeed, ComplaintPermissions.Allowed(Named("supervisor"), ComplaintStates.Handled, Dept, false));
        Assert.DoesNotContain(ComplaintAction.ReturnVisitNeed, ComplaintPermissions.Allowed(Named("supervisor"), ComplaintStates.Closed, Dept, false));
        Assert.DoesNotContain(ComplaintAction.ReturnVisitNeed, ComplaintPermissions.Allowed(Named("handler"), ComplaintStates.Handled, Dept, false));
        // Online data and follow-ups are the call centre's.
        Assert.Equal([ComplaintAction.Attach, ComplaintAction.Online, ComplaintAction.Split],
            ComplaintPermissions.Allowed(Named("agent"), ComplaintStates.Contacted, Dept, false));
    }
}

/// <summary>The lifecycle enforces the matrix the page renders: every desk action it leaves out is refused and changes nothing.</summary>
public sealed class ComplaintActionEnforcementTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private Actor Supervisor => new(_w.Agent.Id, _w.Agent.UserName, "主管", [Roles.CsSupervisor], _w.CsDepartmentId);

    private async Task<long> InStateAsync(string state, bool merged)
    {
        var id = await _w.RegisterComplaintAsync(dispatch: state != ComplaintStates.Registered);
        if (state is ComplaintStates.Contacted or ComplaintStates.Handled)
            await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        if (state == ComplaintStates.Handled) await _w.Lifecycle.HandleAsync(_w.Handler, id, "已修复", "问题已解决", false);
        if (merged) await _s.Get<ServiceHub.Data.Counting.CountingRepository>().MergeAsync(Supervisor, await _w.RegisterComplaintAsync(), id);
        return id;
    }

    private Task Do(string action, Actor actor, long id) => action switch
    {
        ComplaintAction.Dispatch => _w.Lifecycle.DispatchAsync(actor, id, _w.DepartmentId, 30),
        ComplaintAction.Contact => _w.Lifecycle.ConfirmContactAsync(actor, id, _s.Clock.GetUtcNow(), "电话"),
        ComplaintAction.Handle => _w.Lifecycle.HandleAsync(actor, id, "已修复", "问题已解决", false),
        ComplaintAction.Note => _w.Lifecycle.AddNoteAsync(actor, id, "已安排"),
        ComplaintAction.Extend => _w.Lifecycle.ExtendAsync(actor, id, _s.Clock.GetUtcNow().AddDays(3), "已与业主约定"),
        ComplaintAction.Feedback => _w.Lifecycle.AgreeFeedbackAsync(actor, id, _s.Clock.GetUtcNow().AddDays(1)),
        _ => _w.Lifecycle.TransferAsync(actor, id, "项目无法解决"),
    };

    [Theory]
    [InlineData(ComplaintStates.Registered, false)]
    [InlineData(ComplaintStates.Dispatched, false)]
    [InlineData(ComplaintStates.Contacted, false)]
    [InlineData(ComplaintStates.Handled, false)]
    [InlineData(ComplaintStates.Dispatched, true)]
    public async Task Every_desk_action_the_page_does_not_offer_is_refused_and_every_one_it_offers_succeeds(string state, bool merged)
    {
        var refused = await InStateAsync(state, merged);
        foreach (var actor in new[] { _w.Agent, _w.Handler, _w.Manager, _w.OtherHandler, Supervisor })
        {
            var detail = (await _w.Complaints.GetAsync(Supervisor, refused))!;
            var offered = detail.ActionsFor(actor);
            foreach (var action in ComplaintAction.Desk)
            {
                if (offered.Contains(action))
                {
                    // On a complaint of its own in the same state: the action does what the page offers.
                    await Do(action, actor, await InStateAsync(state, merged));
                    continue;
                }
                var events = (await _w.Complaints.TimelineAsync(Actor.System, refused)).Count;
                var ex = await Record.ExceptionAsync(() => Do(action, actor, refused));
                Assert.True(ex is ForbiddenException or DomainException, $"{action} by {actor.UserName} on a {state} complaint: {ex?.GetType().Name ?? "not refused"}");
                Assert.Equal(state, (await _w.Complaints.GetAsync(Supervisor, refused))!.State);
                Assert.Equal(events, (await _w.Complaints.TimelineAsync(Actor.System, refused)).Count);
            }
        }
    }
}
