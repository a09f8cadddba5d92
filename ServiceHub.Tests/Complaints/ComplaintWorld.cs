using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>A small company for complaint tests: a property department with manager, handler and VP, the CS department, an agent, a customer.</summary>
public sealed class ComplaintWorld
{
    public required TestServices S { get; init; }
    public required Actor Agent { get; init; }
    public required Actor Handler { get; init; }
    public required Actor Manager { get; init; }
    public required Actor OtherHandler { get; init; }
    public required int VpId { get; init; }
    public required int DepartmentId { get; init; }
    public required int OtherDepartmentId { get; init; }
    public required int CsDepartmentId { get; init; }
    public required int ProjectId { get; init; }
    public required int UnitId { get; init; }
    public required int CustomerId { get; init; }

    public IntakeRepository Intake => S.Get<IntakeRepository>();
    public ComplaintRepository Complaints => S.Get<ComplaintRepository>();
    public ComplaintLifecycle Lifecycle => S.Get<ComplaintLifecycle>();
    public EscalationSweep Sweep => S.Get<EscalationSweep>();

    private static int _seq;

    public static async Task<ComplaintWorld> CreateAsync(TestServices s)
    {
        var n = Interlocked.Increment(ref _seq);
        var vp = await Build.UserAsync(s, $"vp{n}", [Roles.Leadership]);
        var manager = await Build.UserAsync(s, $"mgr{n}", [Roles.DeptManager]);
        var dept = await Build.DepartmentAsync(s, $"PM{n}", manager, vp);
        var cs = (await s.Get<DepartmentRepository>().ListAsync()).FirstOrDefault(d => d.Code == "CS")?.Id ?? await Build.DepartmentAsync(s, "CS");
        var other = await Build.DepartmentAsync(s, $"ENG{n}");
        var users = s.Get<UserRepository>();
        await users.SaveAsync(Actor.System, new UserEdit { Id = manager, UserName = $"mgr{n}", DisplayName = $"mgr{n}", Roles = [Roles.DeptManager], DepartmentId = dept });
        var handler = await Build.UserAsync(s, $"h{n}", [Roles.Handler], dept);
        var otherHandler = await Build.UserAsync(s, $"oh{n}", [Roles.Handler], other);
        var agent = await Build.UserAsync(s, $"a{n}", [Roles.Agent], cs);
        var (projectId, unitId) = await Build.ProjectWithUnitAsync(s, $"P{n}");
        var customer = await Build.CustomerAsync(s, "陈女士", $"1390000{n:0000}", unitId);
        return new ComplaintWorld
        {
            S = s, VpId = vp, DepartmentId = dept, OtherDepartmentId = other, CsDepartmentId = cs, ProjectId = projectId, UnitId = unitId, CustomerId = customer,
            Agent = new Actor(agent, $"a{n}", "座席", [Roles.Agent], cs),
            Handler = new Actor(handler, $"h{n}", "处理人", [Roles.Handler], dept),
            Manager = new Actor(manager, $"mgr{n}", "经理", [Roles.DeptManager], dept),
            OtherHandler = new Actor(otherHandler, $"oh{n}", "他部门", [Roles.Handler], other),
        };
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
public abstract class ComplaintWorldTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    protected DatabaseFixture Db { get; } = db;
    protected TestServices _s = default!;
    protected ComplaintWorld _w = default!;

    /// <summary>Where the test clock starts (the clock only moves forward); null for the default.</summary>
    protected virtual DateTimeOffset? Start => null;

    public virtual async Task InitializeAsync()
    {
        _s = new TestServices(Db.ConnectionString, Start);
        _w = await ComplaintWorld.CreateAsync(_s);
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();
}
