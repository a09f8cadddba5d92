using ServiceHub.Data.Admin;
using ServiceHub.Data.Home;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Home;

/// <summary>The home page's figures: what waits for each person, scoped as the pages they link to.</summary>
public sealed class WorkSummaryTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private async Task<Dictionary<string, int>> FiguresAsync(Actor who) =>
        (await _s.Get<WorkSummary>().GetAsync(who)).ToDictionary(t => t.Key, t => t.Count);

    [Fact]
    public async Task A_handler_sees_the_departments_open_complaints_and_those_past_their_deadline_but_not_another_departments()
    {
        await _w.RegisterComplaintAsync(urgency: 15);
        await _w.RegisterComplaintAsync(urgency: 120);
        var elsewhere = _w.ComplaintForm("另一个部门的投诉", urgency: 15);
        elsewhere.DispatchDepartmentId = _w.OtherDepartmentId;
        await _w.Intake.RegisterAsync(_w.Agent, elsewhere);

        var before = await FiguresAsync(_w.Handler);
        Assert.Equal(2, before["QueueOpen"]);
        Assert.Equal(0, before["QueueOverdue"]);

        _s.Clock.Advance(TimeSpan.FromMinutes(16));
        var after = await FiguresAsync(_w.Handler);
        Assert.Equal(2, after["QueueOpen"]);
        Assert.Equal(1, after["QueueOverdue"]);
        Assert.Equal(1, (await FiguresAsync(_w.OtherHandler))["QueueOverdue"]);
    }

    [Fact]
    public async Task The_manager_sees_escalations_of_the_department_and_the_vice_president_only_level_two()
    {
        await _w.RegisterComplaintAsync(urgency: 15);
        _s.Clock.Advance(TimeSpan.FromMinutes(15));
        await _w.Sweep.RunAsync();
        Assert.Equal(1, (await FiguresAsync(_w.Manager))["Escalated"]);
        var vp = new Actor(_w.VpId, "vp", "副总", [Roles.Leadership], null);
        Assert.Equal(0, (await FiguresAsync(vp))["EscalatedToMe"]);

        _s.Clock.Advance(TimeSpan.FromMinutes(15));
        await _w.Sweep.RunAsync();
        Assert.Equal(1, (await FiguresAsync(vp))["EscalatedToMe"]);
        Assert.Equal(0, (await FiguresAsync(new Actor(_w.Agent.Id, "vp2", "另一位副总", [Roles.Leadership], null)))["EscalatedToMe"]);
    }

    [Fact]
    public async Task An_agent_sees_the_contacts_registered_today_and_nothing_of_the_other_roles()
    {
        await _w.RegisterComplaintAsync();
        await _w.RegisterComplaintAsync(dispatch: false);
        var tiles = await _s.Get<WorkSummary>().GetAsync(_w.Agent);
        Assert.All(tiles, t => Assert.Equal(Roles.Agent, t.Role));
        Assert.Equal(2, tiles.Single(t => t.Key == "ContactsToday").Count);

        _s.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, (await FiguresAsync(_w.Agent))["ContactsToday"]);
    }
}

public sealed class DocumentAdminSummaryTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    [Fact]
    public async Task The_document_administrator_sees_the_formal_documents_still_to_forward_and_other_handlers_do_not()
    {
        await using (var conn = new Npgsql.NpgsqlConnection(Db.ConnectionString))
            await Dapper.SqlMapper.ExecuteAsync(conn, "UPDATE users SET is_document_admin = true WHERE id = @id", new { id = _w.OtherHandler.Id });
        var documents = _s.Get<ServiceHub.Data.Information.FormalDocumentRepository>();
        var sent = await documents.SendAsync(_w.Manager, "关于调整物业费收缴方式的通知", "正文");
        await documents.SendAsync(_w.Manager, "2026年度培训大纲", "正文");

        async Task<int?> ToForward(Actor who) =>
            (await _s.Get<WorkSummary>().GetAsync(who)).SingleOrDefault(t => t.Key == "DocumentsToForward")?.Count;
        Assert.Equal(2, await ToForward(_w.OtherHandler));
        Assert.Null(await ToForward(_w.Handler));

        await documents.ForwardAsync(_w.OtherHandler, sent, null, _w.DepartmentId, "请各部门执行");
        Assert.Equal(1, await ToForward(_w.OtherHandler));
    }
}
