using Microsoft.Extensions.DependencyInjection;
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
public sealed class ReturnVisitWorld : World<ReturnVisitWorld>
{
    public ComplaintWorld W { get; private set; } = default!;
    public Actor Visitor { get; private set; } = default!;
    public Actor Visitor2 { get; private set; } = default!;
    public Actor Supervisor { get; private set; } = default!;
    public RecordingReminderScheduler Reminders { get; } = new();
    /// <summary>The return visits as the app composes them, with the reminders recorded instead of given to the job server.</summary>
    public ReturnVisitRepository Visits { get; private set; } = default!;
    public ClosureSweep Sweep => S.Get<ClosureSweep>();
    public ComplaintRepository Complaints => W.Complaints;
    public ComplaintLifecycle Lifecycle => W.Lifecycle;

    protected override async Task SetUpAsync()
    {
        W = await ComplaintWorld.CreateAsync(S);
        var n = NextNumber();
        Visitor = await PersonAsync($"rv{n}a", Roles.ReturnVisit, W.CsDepartmentId, "回访员甲");
        Visitor2 = await PersonAsync($"rv{n}b", Roles.ReturnVisit, W.CsDepartmentId, "回访员乙");
        Supervisor = await PersonAsync($"sup{n}", Roles.CsSupervisor, W.CsDepartmentId, "客服主管");
        Visits = ActivatorUtilities.CreateInstance<ReturnVisitRepository>(S.Provider, (IReminderScheduler)Reminders);
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

    public Task ClassifyAsync(long complaintId) =>
        ExecuteAsync("UPDATE complaints SET root_cause_id = (SELECT min(id) FROM root_causes WHERE parent_id IS NOT NULL) WHERE id = @complaintId", new { complaintId });

    public async Task<long> TaskOfAsync(long complaintId) =>
        await ScalarAsync<long>("SELECT id FROM return_visit_tasks WHERE complaint_id = @complaintId AND state IN ('open','escalated')", new { complaintId });

    public async Task<ComplaintDetail> ComplaintAsync(long id) => (await Complaints.GetAsync(W.Agent, id))!;
}
