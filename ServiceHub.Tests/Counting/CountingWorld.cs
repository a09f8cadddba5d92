using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

/// <summary>The complaint world plus a CS supervisor, a second customer and the counting services.</summary>
public sealed class CountingWorld : World<CountingWorld>
{
    public ComplaintWorld W { get; private set; } = default!;
    public Actor Supervisor { get; private set; } = default!;
    public int OtherCustomerId { get; private set; }

    public CountingRepository Counting => S.Get<CountingRepository>();
    public ComplaintStatistics Statistics => S.Get<ComplaintStatistics>();
    public StandardReplyRepository Replies => S.Get<StandardReplyRepository>();
    public HotComplaintRepository Hot => S.Get<HotComplaintRepository>();

    protected override async Task SetUpAsync()
    {
        W = await ComplaintWorld.CreateAsync(S);
        var n = NextNumber();
        Supervisor = await PersonAsync($"sup{n}_{Guid.NewGuid():N}"[..16], Roles.CsSupervisor, W.CsDepartmentId, "主管");
        OtherCustomerId = await Build.CustomerAsync(S, "王先生", $"1370000{n:0000}", W.UnitId);
    }

    public async Task<IntakeResult> RegisterAsync(string content = "3号楼地下车库顶板漏水，车被淋湿", int? customerId = null, string kind = ContactKinds.Complaint,
        string channel = Channels.Phone) =>
        await W.Intake.RegisterAsync(W.Agent, new IntakeForm
        {
            Channel = channel, Kind = kind, CustomerId = customerId ?? W.CustomerId, UnitId = W.UnitId, Content = content,
            Answer = kind == ContactKinds.Complaint ? "" : "已登记，工程部正在安排维修。",
            DispatchDepartmentId = kind == ContactKinds.Complaint ? W.DepartmentId : null, UrgencyMinutes = kind == ContactKinds.Complaint ? 30 : null,
        });

    public async Task<long> ComplaintAsync(string content = "3号楼地下车库顶板漏水，车被淋湿", int? customerId = null) =>
        (await RegisterAsync(content, customerId)).ComplaintId!.Value;

    public StatisticsQuery Today(StatisticsDimension by = StatisticsDimension.Project) =>
        new(S.Clock.GetUtcNow().AddDays(-1), S.Clock.GetUtcNow().AddDays(1), by, ProjectId: W.ProjectId);

    public async Task<int> LeafRootCauseAsync(string name = "渗漏") =>
        (await Counting.RootCausesAsync()).First(r => r.Name == name && r.ParentId is not null).Id;
}
