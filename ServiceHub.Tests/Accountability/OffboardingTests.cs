using Dapper;
using Npgsql;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Complaints;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Accountability;

public sealed class OffboardingTests(DatabaseFixture db) : ComplaintWorldTests(db)
{


    [Fact]
    public async Task Offboarding_disables_the_account_and_hands_every_open_item_to_the_colleague()
    {
        // The department manager leaves: a complaint in hand, a hand-over awaiting its result, a return visit, an alert, the manager role.
        var leaver = _w.Manager;
        var colleague = await Build.UserAsync(_s, $"succ{Guid.NewGuid():N}"[..12], [Roles.DeptManager], _w.DepartmentId);
        var complaint = await _w.RegisterComplaintAsync(content: "离职交接的投诉");
        await _w.Lifecycle.ConfirmContactAsync(leaver, complaint, _s.Clock.GetUtcNow(), "电话");
        await using (var conn = new NpgsqlConnection(Db.ConnectionString))
            await conn.ExecuteAsync("UPDATE complaints SET handler_id = @leaver WHERE id = @complaint", new { leaver = leaver.Id, complaint });
        var contact = await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Inquiry, CustomerId = _w.CustomerId, Content = "查询", Answer = "转交" });
        await _w.Intake.HandOverAsync(_w.Agent, contact.ContactId, leaver.Id);
        await using (var conn = new NpgsqlConnection(Db.ConnectionString))
            await conn.ExecuteAsync("""
                INSERT INTO return_visit_tasks (kind, complaint_id, customer_id, department_id, state, assignee_id, due_at, scheduled_at, created_at)
                VALUES ('complaint', @complaint, @customer, @dept, 'open', @leaver, now() + interval '1 day', now(), now())
                """, new { complaint, customer = _w.CustomerId, dept = _w.DepartmentId, leaver = leaver.Id });
        var emergency = await _s.Get<EmergencyRepository>().ReportAsync(_w.Agent, new EmergencyReport
        {
            Kind = EmergencyKinds.FireExplosion, ProjectId = _w.ProjectId, Location = "地库", OccurredAt = _s.Clock.GetUtcNow().AddMinutes(-5),
            Description = "地库配电间冒烟", ResponsibleDepartmentId = _w.DepartmentId,
        });
        var shared = await Build.UserAsync(_s, $"shared{Guid.NewGuid():N}"[..12], [Roles.Handler], _w.DepartmentId);
        await using (var conn = new NpgsqlConnection(Db.ConnectionString))
            await conn.ExecuteAsync("UPDATE users SET is_shared = true WHERE id = @shared", new { shared });

        var r = await _s.Get<OffboardingService>().OffboardAsync(Actor.System, leaver.Id, colleague);

        Assert.Equal((1, 1, 1, 1, 1, 1), (r.Complaints, r.ReturnVisits, r.HandOvers, r.Alerts, r.DepartmentRoles, r.SharedCredentialsFlagged));
        Assert.False(await Scalar<bool>("SELECT is_active FROM users WHERE id = @id", new { id = leaver.Id }));
        Assert.Equal(colleague, await Scalar<int>("SELECT handler_id FROM complaints WHERE id = @complaint", new { complaint }));
        Assert.Equal(colleague, await Scalar<int>("SELECT assignee_id FROM return_visit_tasks WHERE complaint_id = @complaint", new { complaint }));
        Assert.Equal(colleague, await Scalar<int>("SELECT handover_to_id FROM contacts WHERE id = @id", new { id = contact.ContactId }));
        Assert.Equal(colleague, await Scalar<int>("SELECT manager_user_id FROM departments WHERE id = @id", new { id = _w.DepartmentId }));
        Assert.Equal(1, await Scalar<int>("SELECT count(*) FROM emergency_alerts WHERE emergency_id = @emergency AND user_id = @colleague AND acknowledged_at IS NULL", new { emergency, colleague }));
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM emergency_alerts WHERE user_id = @id AND acknowledged_at IS NULL", new { id = leaver.Id }));
        Assert.True(await Scalar<bool>("SELECT rotation_required_since IS NOT NULL FROM users WHERE id = @shared", new { shared }));
        Assert.Equal(1, await Scalar<int>("SELECT count(*) FROM audit_log WHERE action = 'deactivate' AND entity_id = @id AND details LIKE '%offboarded%'", new { id = leaver.Id.ToString() }));
    }

    [Fact]
    public async Task A_complaint_handled_while_its_handler_is_being_offboarded_stays_with_the_one_who_handled_it()
    {
        var leaver = _w.Handler;
        var colleague = await Build.UserAsync(_s, $"succ{Guid.NewGuid():N}"[..12], [Roles.Handler], _w.DepartmentId);
        var complaint = await _w.RegisterComplaintAsync(content: "交接时正在办结的投诉");
        await _w.Lifecycle.ConfirmContactAsync(leaver, complaint, _s.Clock.GetUtcNow(), "电话");

        // The handler's last step, not yet committed: the complaint locked as the desk locks it, and handled on its state row.
        await using var desk = new NpgsqlConnection(Db.ConnectionString);
        await desk.OpenAsync();
        await using var handling = await desk.BeginTransactionAsync();
        var deskPid = await desk.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: handling);
        await desk.ExecuteAsync("SELECT 1 FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id WHERE c.id = @complaint FOR NO KEY UPDATE",
            new { complaint }, handling);
        await desk.ExecuteAsync("UPDATE complaint_states SET state = 'handled' WHERE complaint_id = @complaint", new { complaint }, handling);

        // The offboarding meanwhile waits for that complaint, then finds it handled: not an open complaint to hand over.
        var offboarding = _s.Get<OffboardingService>().OffboardAsync(Actor.System, leaver.Id, colleague);
        await Locks.WaitForWaiterAsync(Db.ConnectionString, deskPid, offboarding, "the offboarding to wait for the complaint being handled");
        await handling.CommitAsync();
        var r = await offboarding;

        Assert.Equal(0, r.Complaints);
        Assert.Equal(leaver.Id, await Scalar<int>("SELECT handler_id FROM complaints WHERE id = @complaint", new { complaint }));
    }

    [Fact]
    public async Task Only_an_admin_offboards_and_not_to_the_leaver_themself()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<OffboardingService>().OffboardAsync(_w.Manager, _w.Handler.Id, _w.Manager.Id));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _s.Get<OffboardingService>().OffboardAsync(Actor.System, _w.Handler.Id, _w.Handler.Id));
        Assert.Equal("Offboarding.SameSuccessor", ex.Errors["SuccessorId"].Code);
        Assert.True(await Scalar<bool>("SELECT is_active FROM users WHERE id = @id", new { id = _w.Handler.Id }));
    }
}

[Collection(AppCollection.Name)]
public sealed class PenaltyExportTests(AppFactory app)
{
    [Fact]
    public async Task HR_downloads_the_monthly_ledger_as_an_excel_workbook_and_an_agent_may_not()
    {
        var period = ServiceHub.Data.Infrastructure.Month.Of(app.Clock.GetUtcNow()).ToString();
        var hr = await app.SignedInClientAsync("hr");
        var response = await hr.GetAsync($"/penalties/export?period={period}");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal((byte)'P', bytes[0]);
        Assert.Equal((byte)'K', bytes[1]);
        var rows = MiniExcelLibs.MiniExcel.Query(new MemoryStream(bytes), useHeaderRow: true, sheetName: "月度考核处罚台账").ToList();
        Assert.NotNull(rows);

        var agent = await app.SignedInClientAsync("agent");
        var denied = await agent.GetAsync($"/penalties/export?period={period}");
        Assert.NotEqual(System.Net.HttpStatusCode.OK, denied.StatusCode);
    }
}
