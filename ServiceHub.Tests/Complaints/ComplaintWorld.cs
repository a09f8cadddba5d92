using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>A small company for complaint tests: a property department with manager, handler and VP, the CS department, an agent, a customer.</summary>
public sealed class ComplaintWorld : World<ComplaintWorld>
{
    public Actor Agent { get; private set; } = default!;
    public Actor Handler { get; private set; } = default!;
    public Actor Manager { get; private set; } = default!;
    public Actor OtherHandler { get; private set; } = default!;
    public int VpId { get; private set; }
    public int DepartmentId { get; private set; }
    public int OtherDepartmentId { get; private set; }
    public int CsDepartmentId { get; private set; }
    public int ProjectId { get; private set; }
    public int UnitId { get; private set; }
    public int CustomerId { get; private set; }

    public IntakeRepository Intake => S.Get<IntakeRepository>();
    public ComplaintRepository Complaints => S.Get<ComplaintRepository>();
    public ComplaintLifecycle Lifecycle => S.Get<ComplaintLifecycle>();
    public EscalationSweep Sweep => S.Get<EscalationSweep>();

    protected override async Task SetUpAsync()
    {
        var n = NextNumber();
        VpId = await Build.UserAsync(S, $"vp{n}", [Roles.Leadership]);
        var manager = await Build.UserAsync(S, $"mgr{n}", [Roles.DeptManager]);
        DepartmentId = await Build.DepartmentAsync(S, $"PM{n}", manager, VpId);
        CsDepartmentId = (await Get<DepartmentRepository>().ListAsync()).FirstOrDefault(d => d.Code == "CS")?.Id ?? await Build.DepartmentAsync(S, "CS");
        OtherDepartmentId = await Build.DepartmentAsync(S, $"ENG{n}");
        await Get<UserRepository>().SaveAsync(Actor.System, new UserEdit { Id = manager, UserName = $"mgr{n}", DisplayName = $"mgr{n}", Roles = [Roles.DeptManager], DepartmentId = DepartmentId });
        Manager = new Actor(manager, $"mgr{n}", "经理", [Roles.DeptManager], DepartmentId);
        Handler = await PersonAsync($"h{n}", Roles.Handler, DepartmentId, "处理人");
        OtherHandler = await PersonAsync($"oh{n}", Roles.Handler, OtherDepartmentId, "他部门");
        Agent = await PersonAsync($"a{n}", Roles.Agent, CsDepartmentId, "座席");
        (ProjectId, UnitId) = await Build.ProjectWithUnitAsync(S, $"P{n}");
        CustomerId = await Build.CustomerAsync(S, "陈女士", $"1390000{n:0000}", UnitId);
    }

    public IntakeForm ComplaintForm(string content = "楼上漏水，天花板渗水严重", bool dispatch = true, int urgency = 30) => new()
    {
        Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = CustomerId, UnitId = UnitId, Content = content,
        DispatchDepartmentId = dispatch ? DepartmentId : null, UrgencyMinutes = dispatch ? urgency : null,
    };

    public async Task<long> RegisterComplaintAsync(bool dispatch = true, int urgency = 30, string content = "楼上漏水，天花板渗水严重") =>
        (await Intake.RegisterAsync(Agent, ComplaintForm(content, dispatch, urgency))).ComplaintId!.Value;
}

/// <summary>The set-up every complaint test class shares: the Data services over its own database, and a small company in it.</summary>
public abstract class ComplaintWorldTests(DatabaseFixture db) : WorldTests<ComplaintWorld>(db);
