using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

/// <summary>Records the reminders the repository asks the job server to schedule.</summary>
public sealed class RecordingReminderScheduler : IReminderScheduler
{
    public List<(long ReminderId, DateTimeOffset At)> Scheduled { get; } = [];
    public void Schedule(long reminderId, DateTimeOffset at) => Scheduled.Add((reminderId, at));
}

/// <summary>The complaint world plus a return-visit team (two members) and a CS supervisor; helpers to handle complaints.</summary>
public sealed class ReturnVisitWorld
{
    public required ComplaintWorld W { get; init; }
    public required Actor Visitor { get; init; }
    public required Actor Visitor2 { get; init; }
    public required Actor Supervisor { get; init; }
    public required RecordingReminderScheduler Reminders { get; init; }
    public required ReturnVisitRepository Visits { get; init; }
    public TestServices S => W.S;
    public ClosureSweep Sweep => S.Get<ClosureSweep>();
    public ComplaintRepository Complaints => W.Complaints;
    public ComplaintLifecycle Lifecycle => W.Lifecycle;

    private static int _seq;

    public static async Task<ReturnVisitWorld> CreateAsync(TestServices s)
    {
        var w = await ComplaintWorld.CreateAsync(s);
        var n = Interlocked.Increment(ref _seq);
        var v1 = await Build.UserAsync(s, $"rv{n}a", [Roles.ReturnVisit], w.CsDepartmentId);
        var v2 = await Build.UserAsync(s, $"rv{n}b", [Roles.ReturnVisit], w.CsDepartmentId);
        var sup = await Build.UserAsync(s, $"sup{n}", [Roles.CsSupervisor], w.CsDepartmentId);
        var reminders = new RecordingReminderScheduler();
        return new ReturnVisitWorld
        {
            W = w, Reminders = reminders,
            Visitor = new Actor(v1, $"rv{n}a", "回访员甲", [Roles.ReturnVisit], w.CsDepartmentId),
            Visitor2 = new Actor(v2, $"rv{n}b", "回访员乙", [Roles.ReturnVisit], w.CsDepartmentId),
            Supervisor = new Actor(sup, $"sup{n}", "客服主管", [Roles.CsSupervisor], w.CsDepartmentId),
            Visits = new ReturnVisitRepository(s.Get<NpgsqlDataSource>(), s.Clock, s.Get<ComplaintLifecycle>(), reminders),
        };
    }

    /// <summary>Registers, dispatches, contacts and handles a complaint; optionally classifies it by root cause first.</summary>
    public async Task<long> HandledComplaintAsync(bool needsReturnVisit = true, bool classified = true, string content = "楼上漏水，天花板渗水严重")
    {
        var form = W.ComplaintForm(content);
        form.NeedsReturnVisit = needsReturnVisit;
        var id = (await W.Intake.RegisterAsync(W.Agent, form)).ComplaintId!.Value;
        await Lifecycle.ConfirmContactAsync(W.Handler, id, S.Clock.GetUtcNow(), "电话");
        if (classified) await ClassifyAsync(id);
        await Lifecycle.HandleAsync(W.Handler, id, "更换防水层", "已为您安排维修，问题已解决。", false);
        return id;
    }

    public async Task ClassifyAsync(long complaintId)
    {
        await using var conn = await S.Get<NpgsqlDataSource>().OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE complaints SET root_cause_id = (SELECT min(id) FROM root_causes WHERE parent_id IS NOT NULL) WHERE id = @complaintId", new { complaintId });
    }

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = await S.Get<NpgsqlDataSource>().OpenConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<IReadOnlyList<T>> ScalarListAsync<T>(string sql, object? args = null)
    {
        await using var conn = await S.Get<NpgsqlDataSource>().OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, args)).AsList();
    }

    public async Task<long> TaskOfAsync(long complaintId) =>
        await ScalarAsync<long>("SELECT id FROM return_visit_tasks WHERE complaint_id = @complaintId AND state IN ('open','escalated')", new { complaintId });

    public async Task<ComplaintDetail> ComplaintAsync(long id) => (await Complaints.GetAsync(W.Agent, id))!;
}
