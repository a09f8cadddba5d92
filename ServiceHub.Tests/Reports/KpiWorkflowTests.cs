using ServiceHub.Data.Admin;
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
        await _s.Get<KpiService>().FiguresAsync(Leader, new KpiQuery(registered.AddHours(-1), registered.AddHours(1)));

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
            new KpiDrill(new KpiQuery(registered.AddHours(-1), registered.AddHours(1)), KpiSet.ReplyLate), 0, 10);
        Assert.Equal(lateId, Assert.Single(late.Items).Id);
    }
}
