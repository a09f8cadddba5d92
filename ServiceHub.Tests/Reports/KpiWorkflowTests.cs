using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>The KPIs over complaints worked through the real desk: the events the figures read are the ones the desk writes.</summary>
public sealed class KpiWorkflowTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private Actor Leader => new(_w.VpId, "vp", "领导", [Roles.Leadership], null);
    private Actor Supervisor => new(_w.Agent.Id, "sup", "主管", [Roles.CsSupervisor], _w.CsDepartmentId);

    private async Task<KpiFigures> FiguresAsync(DateTimeOffset registered) =>
        await _s.Get<KpiService>().FiguresAsync(Leader, Around(registered));

    /// <summary>The hour around a registration, in this test's department (the tests of the class share a database and a start time).</summary>
    private KpiQuery Around(DateTimeOffset registered) => new(registered.AddHours(-1), registered.AddHours(1), _w.DepartmentId);

    [Fact]
    public async Task A_reply_after_48_hours_is_on_time_when_the_department_agreed_an_extension_before_it()
    {
        var registered = _s.Clock.GetUtcNow();
        var extendedId = await _w.RegisterComplaintAsync();
        var lateId = await _w.RegisterComplaintAsync(content: "电梯经常停运");
        foreach (var id in new[] { extendedId, lateId })
        {
            await _s.Get<CountingRepository>().VerifyAsync(Supervisor, id, true, null);
            await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        }
        _s.Clock.Advance(TimeSpan.FromHours(40));
        await _w.Lifecycle.ExtendAsync(_w.Handler, extendedId, _s.Clock.GetUtcNow().AddHours(30), "需要等材料到货");
        _s.Clock.Advance(TimeSpan.FromHours(20));
        foreach (var id in new[] { extendedId, lateId })
            await _w.Lifecycle.HandleAsync(_w.Handler, id, "已更换防水层", "已为您处理完毕", false);

        var k = await FiguresAsync(registered);
        Assert.Equal(2, k.Complaints);
        Assert.Equal(new KpiRate(1, 2), k.ReplyOnTime);
        Assert.Equal(new KpiRate(2, 2), k.ContactOnTime);
        var late = await _s.Get<KpiService>().ComplaintsAsync(Leader,
            new KpiDrill(Around(registered), KpiSet.ReplyLate), 0, 10);
        Assert.Equal(lateId, Assert.Single(late.Items).Id);
    }

    [Fact]
    public async Task An_extension_one_second_before_the_deadline_replaces_it_one_second_after_is_refused_and_the_miss_stays_in_every_figure()
    {
        var registered = _s.Clock.GetUtcNow();
        var inTime = await _w.RegisterComplaintAsync();
        var tooLate = await _w.RegisterComplaintAsync(content: "电梯经常停运");
        foreach (var id in new[] { inTime, tooLate })
        {
            await _s.Get<CountingRepository>().VerifyAsync(Supervisor, id, true, null);
            await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        }
        var deadline = registered.AddHours(48);

        _s.Clock.SetUtcNow(deadline.AddSeconds(-1));
        await _w.Lifecycle.ExtendAsync(_w.Handler, inTime, deadline.AddHours(24), "需要等材料到货，已与业主约定");
        Assert.Equal(deadline.AddHours(24), (await _w.Complaints.GetAsync(Supervisor, inTime))!.ReplyDueAt);

        _s.Clock.SetUtcNow(deadline.AddSeconds(1));
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            _w.Lifecycle.ExtendAsync(_w.Handler, tooLate, deadline.AddHours(24), "客户同意延后"));
        Assert.Equal("Complaint.ExtensionAfterDeadline", refused.Errors["NewDue"].Code);
        var missed = (await _w.Complaints.GetAsync(Supervisor, tooLate))!;
        Assert.Equal(deadline, missed.ReplyDueAt);
        Assert.True(missed.ReplyMissed(_s.Clock.GetUtcNow()));
        Assert.DoesNotContain(await _w.Complaints.TimelineAsync(Actor.System, tooLate), e => e.Kind == "extended");

        // The manager may still agree a new date with the customer: recorded, but the reply deadline stays the missed one.
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Lifecycle.AgreeReplyDateAsync(_w.Handler, tooLate, deadline.AddHours(24), "客户同意延后"));
        var early = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.AgreeReplyDateAsync(_w.Manager, inTime, deadline.AddHours(30), "再约"));
        Assert.Equal("Complaint.AgreeDateBeforeDeadline", early.Errors["AgreedAt"].Code);
        await _w.Lifecycle.AgreeReplyDateAsync(_w.Manager, tooLate, deadline.AddHours(24), "客户同意延后");
        var agreed = (await _w.Complaints.GetAsync(Supervisor, tooLate))!;
        Assert.Equal((deadline, deadline.AddHours(24)), (agreed.ReplyDueAt, agreed.AgreedReply!.DueAt));
        var ev = Assert.Single(await _w.Complaints.TimelineAsync(Actor.System, tooLate), e => e.Kind == "agreed-date");
        Assert.Equal((deadline, deadline.AddHours(24)), (ev.DeadlineBefore!.Value, ev.DeadlineAfter!.Value));

        // Both replied within the new times: the extension in time counts as on time, the date agreed after the miss does not.
        _s.Clock.SetUtcNow(deadline.AddHours(20));
        await _w.Sweep.RunAsync();
        Assert.Equal(0, (await _w.Complaints.GetAsync(Supervisor, inTime))!.EscalationLevel);
        foreach (var id in new[] { inTime, tooLate })
            await _w.Lifecycle.HandleAsync(_w.Handler, id, "已更换防水层", "已为您处理完毕", false);
        var k = await FiguresAsync(registered);
        Assert.Equal(new KpiRate(1, 2), k.ReplyOnTime);
        var period = Around(registered);
        var late = await _s.Get<KpiService>().ComplaintsAsync(Leader, new KpiDrill(period, KpiSet.ReplyLate), 0, 10);
        Assert.Equal(tooLate, Assert.Single(late.Items).Id);

        // The annual report reads the same figures (the KPI core's predicates over the year).
        var year = BusinessTime.ToLocal(registered).Year;
        var annual = await _s.Get<AnnualReportService>().ComputeAsync(Actor.System, year);
        Assert.Equal((await _s.Get<KpiService>().FiguresAsync(Leader, KpiQuery.Year(year))).ReplyOnTime, annual.Current.ReplyOnTime);
    }

    [Fact]
    public async Task A_contact_typed_more_than_an_hour_before_it_was_logged_needs_a_note_and_is_marked_in_the_drill_list()
    {
        var registered = _s.Clock.GetUtcNow();
        var id = await _w.RegisterComplaintAsync(urgency: 120);
        await _s.Get<CountingRepository>().VerifyAsync(Supervisor, id, true, null);
        _s.Clock.Advance(TimeSpan.FromHours(3));
        var typed = registered.AddMinutes(90); // 1 h 30 min before it is logged

        var noNote = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, typed, "电话"));
        Assert.Equal("Complaint.ContactNoteRequired", noNote.Errors["Note"].Code);
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, typed, "电话", "当时在现场处理，回办公室后补登");

        var c = (await _w.Complaints.GetAsync(Supervisor, id))!;
        Assert.Equal((typed, _s.Clock.GetUtcNow(), true), (c.ContactedAt!.Value, c.ContactLoggedAt!.Value, c.ContactBackdated));
        Assert.Equal("当时在现场处理，回办公室后补登", c.ContactTimeNote);

        // The contact KPI measures the typed time (within 120 min of dispatch: on time), and its list marks the backdating.
        var period = Around(registered);
        var onTime = await _s.Get<KpiService>().ComplaintsAsync(Leader, new KpiDrill(period, KpiSet.ContactOnTime), 0, 10);
        var item = Assert.Single(onTime.Items, i => i.Id == id);
        Assert.True(item.ContactBackdated);
        Assert.Equal("当时在现场处理，回办公室后补登", item.ContactTimeNote);
    }
}
