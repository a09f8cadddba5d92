using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

/// <summary>Complaints in the demo company of an <see cref="AppFactory"/>.</summary>
public static class DemoComplaints
{
    public static async Task<Actor> DemoActorAsync(NpgsqlConnection conn, string userName)
    {
        var (id, name, roles, dept) = await conn.QuerySingleAsync<(int, string, string[], int?)>(
            "SELECT id, display_name, roles, department_id FROM users WHERE user_name = @userName", new { userName });
        return new Actor(id, userName, name, roles, dept);
    }

    /// <summary>A classified complaint of the demo company, handled by the property company, its return visit assigned to 'returnvisit'.</summary>
    public static async Task<(long ComplaintId, long TaskId)> HandledWithReturnVisitAsync(AppFactory app)
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        var agent = await DemoActorAsync(conn, "agent");
        var handler = await DemoActorAsync(conn, "handler");
        var visitor = await DemoActorAsync(conn, "returnvisit");
        var (customer, pm) = await conn.QuerySingleAsync<(int, int)>("SELECT (SELECT min(id) FROM customers), (SELECT id FROM departments WHERE code = 'PM')");
        var r = await app.Get<IntakeRepository>().RegisterAsync(agent, new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customer, Content = "电梯经常停运", DispatchDepartmentId = pm, UrgencyMinutes = 60,
        });
        var id = r.ComplaintId!.Value;
        var complaints = app.Get<ComplaintLifecycle>();
        await complaints.ConfirmContactAsync(handler, id, app.Clock.GetUtcNow(), "电话");
        await conn.ExecuteAsync("UPDATE complaints SET root_cause_id = (SELECT min(id) FROM root_causes WHERE parent_id IS NOT NULL) WHERE id = @id", new { id });
        await complaints.HandleAsync(handler, id, "已维修电梯控制柜", "电梯已修复，给您带来不便深表歉意。", false);
        var taskId = await conn.ExecuteScalarAsync<long>("SELECT id FROM return_visit_tasks WHERE complaint_id = @id", new { id });
        var task = (await app.Get<ReturnVisitRepository>().GetAsync(visitor, taskId))!;
        if (task.AssigneeId != visitor.Id) await app.Get<ReturnVisitRepository>().AssignAsync(visitor, taskId, visitor.Id);
        return (id, taskId);
    }

}
