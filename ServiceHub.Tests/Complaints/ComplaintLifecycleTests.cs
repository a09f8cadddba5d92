using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

public sealed class ComplaintLifecycleTests(DatabaseFixture db) : ComplaintWorldTests(db)
{


    [Theory]
    [InlineData(15)]
    [InlineData(30)]
    [InlineData(60)]
    [InlineData(120)]
    public async Task The_contact_deadline_follows_the_urgency_and_the_reply_deadline_is_48_hours_after_registration(int urgency)
    {
        var registeredAt = _s.Clock.GetUtcNow();
        var id = await _w.RegisterComplaintAsync(dispatch: false);
        _s.Clock.Advance(TimeSpan.FromMinutes(7));
        await _w.Lifecycle.DispatchAsync(_w.Agent, id, _w.DepartmentId, urgency);
        var c = (await _w.Complaints.GetAsync(_w.Agent, id))!;
        Assert.Equal(ComplaintStates.Dispatched, c.State);
        Assert.Equal(registeredAt.AddMinutes(7 + urgency), c.ContactDueAt);
        Assert.Equal(registeredAt.AddHours(48), c.ReplyDueAt);
        Assert.Equal(c.ContactDueAt, c.CurrentDueAt);
    }

    [Fact]
    public async Task The_first_responder_is_the_agent_who_registered_and_cannot_be_changed()
    {
        var r = await _w.Intake.RegisterAsync(_w.Agent, _w.ComplaintForm());
        var contact = (await _w.Intake.GetAsync(_w.Agent, r.ContactId))!;
        Assert.Equal(_w.Agent.Id, contact.FirstResponderId);
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(
            "UPDATE contacts SET first_responder_id = @h WHERE id = @id", new { h = _w.Handler.Id, id = r.ContactId }));
    }

    [Fact]
    public async Task The_handler_contacts_notes_and_handles_and_every_step_is_on_the_timeline()
    {
        var id = await _w.RegisterComplaintAsync();
        _s.Clock.Advance(TimeSpan.FromMinutes(10));
        // As the page sends it: a Beijing wall-clock time (offset +08:00).
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)), "电话");
        await _w.Lifecycle.AddNoteAsync(_w.Handler, id, "已安排维修工上门查看");
        await _w.Lifecycle.HandleAsync(_w.Handler, id, "更换楼上防水层", "已为您安排维修，漏水问题已解决。", false);
        var c = (await _w.Complaints.GetAsync(_w.Handler, id))!;
        Assert.Equal(ComplaintStates.Handled, c.State);
        Assert.Null(c.CurrentDueAt);
        var kinds = (await _w.Complaints.TimelineAsync(Actor.System, id)).Select(e => e.Kind).ToList();
        Assert.Equal(["registered", "dispatched", "contacted", "note", "handled"], kinds);
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM complaint_deadlines WHERE complaint_id = @id AND active", new { id }));
    }

    [Fact]
    public async Task An_extension_replaces_the_escalation_deadline_and_keeps_the_old_one_in_the_timeline()
    {
        var id = await _w.RegisterComplaintAsync();
        var oldDue = (await _w.Complaints.GetAsync(_w.Agent, id))!.ReplyDueAt;
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "上门");
        var newDue = _s.Clock.GetUtcNow().AddDays(5);
        await _w.Lifecycle.ExtendAsync(_w.Handler, id, newDue, "需等待材料到货，已与业主约定");
        var c = (await _w.Complaints.GetAsync(_w.Agent, id))!;
        Assert.Equal(newDue, c.ReplyDueAt);
        Assert.Equal(newDue, c.CurrentDueAt);
        var ev = (await _w.Complaints.TimelineAsync(Actor.System, id)).Single(e => e.Kind == "extended");
        Assert.Equal((oldDue, newDue), (ev.DeadlineBefore!.Value, ev.DeadlineAfter!.Value));

        // The old 48-hour deadline no longer escalates; the new one does.
        _s.Clock.SetUtcNow(oldDue.AddHours(3));
        await _w.Sweep.RunAsync();
        Assert.Equal(0, (await _w.Complaints.GetAsync(_w.Agent, id))!.EscalationLevel);
        _s.Clock.SetUtcNow(newDue.AddMinutes(1));
        await _w.Sweep.RunAsync();
        Assert.Equal(1, (await _w.Complaints.GetAsync(_w.Agent, id))!.EscalationLevel);
    }

    [Fact]
    public async Task A_reply_to_a_handled_complaint_is_refused_and_changes_nothing()
    {
        var id = await _w.RegisterComplaintAsync();
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        await _w.Lifecycle.HandleAsync(_w.Handler, id, "已修复", "问题已解决", false);
        var events = (await _w.Complaints.TimelineAsync(Actor.System, id)).Count;
        var ex = await Assert.ThrowsAsync<DomainException>(() => _w.Lifecycle.HandleAsync(_w.Handler, id, "再次", "再次答复", false));
        Assert.Equal("Complaint.WrongState", ex.Code);
        Assert.Equal("问题已解决", (await _w.Complaints.GetAsync(_w.Agent, id))!.Reply);
        Assert.Equal(events, (await _w.Complaints.TimelineAsync(Actor.System, id)).Count);
    }

    [Fact]
    public async Task An_extension_to_the_past_is_refused_and_changes_nothing()
    {
        var id = await _w.RegisterComplaintAsync();
        var before = (await _w.Complaints.GetAsync(_w.Agent, id))!;
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            _w.Lifecycle.ExtendAsync(_w.Handler, id, _s.Clock.GetUtcNow().AddHours(-1), "客户同意"));
        Assert.Equal("Complaint.ExtensionInPast", ex.Errors["NewDue"].Code);
        var after = (await _w.Complaints.GetAsync(_w.Agent, id))!;
        Assert.Equal(before.ReplyDueAt, after.ReplyDueAt);
        Assert.DoesNotContain(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == "extended");
    }

    [Fact]
    public async Task A_dispatch_without_department_is_refused_and_changes_nothing()
    {
        var id = await _w.RegisterComplaintAsync(dispatch: false);
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.DispatchAsync(_w.Agent, id, null, 30));
        Assert.Equal("Complaint.DepartmentRequired", ex.Errors["DepartmentId"].Code);
        Assert.Equal(ComplaintStates.Registered, (await _w.Complaints.GetAsync(_w.Agent, id))!.State);
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM complaint_deadlines WHERE complaint_id = @id AND kind = 'contact'", new { id }));
    }

    [Fact]
    public async Task A_contact_confirmation_before_dispatch_or_twice_is_refused()
    {
        var supervisor = new Actor(_w.Agent.Id, "s", "主管", [ServiceHub.Data.Admin.Roles.CsSupervisor], null);
        var id = await _w.RegisterComplaintAsync(dispatch: false);
        Assert.Equal("Complaint.WrongState", (await Assert.ThrowsAsync<DomainException>(() =>
            _w.Lifecycle.ConfirmContactAsync(supervisor, id, _s.Clock.GetUtcNow(), "电话"))).Code);
        await _w.Lifecycle.DispatchAsync(_w.Agent, id, _w.DepartmentId, 30);
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        Assert.Equal("Complaint.WrongState", (await Assert.ThrowsAsync<DomainException>(() =>
            _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话"))).Code);
    }

    [Fact]
    public async Task A_handler_of_another_department_cannot_act_on_or_read_the_complaint()
    {
        var id = await _w.RegisterComplaintAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Lifecycle.ConfirmContactAsync(_w.OtherHandler, id, _s.Clock.GetUtcNow(), "电话"));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Complaints.GetAsync(_w.OtherHandler, id));
        Assert.Equal(ComplaintStates.Dispatched, (await _w.Complaints.GetAsync(_w.Agent, id))!.State);
    }

    [Fact]
    public async Task A_transfer_reports_the_complaint_to_the_company_complaint_department_with_its_reason()
    {
        var id = await _w.RegisterComplaintAsync();
        await _w.Lifecycle.TransferAsync(_w.Manager, id, "涉及开发遗留问题，项目无法解决");
        var c = (await _w.Complaints.GetAsync(_w.Agent, id))!;
        Assert.Equal(_w.CsDepartmentId, c.DepartmentId);
        Assert.Contains("项目无法解决", (await _w.Complaints.TimelineAsync(Actor.System, id)).Single(e => e.Kind == "transferred").Details);
    }

    [Fact]
    public async Task The_department_queue_lists_open_complaints_most_urgent_first()
    {
        var slow = await _w.RegisterComplaintAsync(urgency: 120, content: "绿化带杂草");
        var fast = await _w.RegisterComplaintAsync(urgency: 15, content: "电梯困人");
        var mid = await _w.RegisterComplaintAsync(urgency: 60, content: "地库照明不亮");
        var page = await _w.Complaints.QueueAsync(_w.Handler, new QueueFilter(_w.DepartmentId), 0, 50);
        var order = page.Items.Where(i => i.Id == slow || i.Id == fast || i.Id == mid).Select(i => i.Id).ToList();
        Assert.Equal([fast, mid, slow], order);
        var urgentOnly = await _w.Complaints.QueueAsync(_w.Handler, new QueueFilter(_w.DepartmentId, UrgencyMinutes: 15), 0, 50);
        Assert.All(urgentOnly.Items, i => Assert.Equal(15, i.UrgencyMinutes));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Complaints.QueueAsync(_w.OtherHandler, new QueueFilter(_w.DepartmentId), 0, 50));
    }
}

public sealed class ComplaintListTests(DatabaseFixture db) : ComplaintWorldTests(db)
{


    [Fact]
    public async Task The_list_finds_complaints_by_text_and_a_department_sees_only_its_own()
    {
        var mine = await _w.RegisterComplaintAsync(content: "单元门禁失灵");
        var agentView = await _w.Complaints.SearchAsync(_w.Agent, "门禁", null, null, 0, 10);
        Assert.Contains(agentView.Items, i => i.Id == mine);
        var otherView = await _w.Complaints.SearchAsync(_w.OtherHandler, "门禁", null, _w.DepartmentId, 0, 10);
        Assert.DoesNotContain(otherView.Items, i => i.Id == mine);
        var handlerView = await _w.Complaints.SearchAsync(_w.Handler, null, ComplaintStates.Dispatched, null, 0, 10);
        Assert.Contains(handlerView.Items, i => i.Id == mine);
    }
}
