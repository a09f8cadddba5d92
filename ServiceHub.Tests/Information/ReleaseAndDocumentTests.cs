using Dapper;
using Npgsql;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Information;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Information;

/// <summary>Releases (信息发布), formal documents (正式文件) and shared departmental credentials (DOMAIN.md §2).</summary>
public sealed class ReleaseAndDocumentTests(DatabaseFixture db) : WorldTests<DataWorld>(db)
{
    private ReleaseRepository Releases => _s.Get<ReleaseRepository>();
    private FormalDocumentRepository Documents => _s.Get<FormalDocumentRepository>();
    private Actor _supervisor = default!, _leader = default!, _leader2 = default!, _agent = default!, _docAdmin = default!, _engineer = default!, _engManager = default!, _outsider = default!;
    private int _engDept;
    private string _n = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var n = _n = Guid.NewGuid().ToString("N")[..6];
        var cs = await Build.DepartmentAsync(_s, $"CS{n}");
        var ed = await Build.DepartmentAsync(_s, $"ED{n}");
        _engDept = await Build.DepartmentAsync(_s, $"EN{n}");
        var other = await Build.DepartmentAsync(_s, $"OT{n}");
        async Task<Actor> Make(string name, string role, int? dept) => new(await Build.UserAsync(_s, $"{name}{n}", [role], dept), $"{name}{n}", name, [role], dept);
        _supervisor = await Make("sup", Roles.CsSupervisor, cs);
        _leader = await Make("ldr", Roles.Leadership, null);
        _leader2 = await Make("ldr2", Roles.Leadership, null);
        _agent = await Make("agt", Roles.Agent, cs);
        _engineer = await Make("eng", Roles.Handler, _engDept);
        _engManager = await Make("engm", Roles.DeptManager, _engDept);
        _outsider = await Make("out", Roles.Handler, other);
        var docAdminId = await _s.Get<UserRepository>().SaveAsync(Actor.System, new UserEdit
        {
            UserName = $"doc{n}", DisplayName = "文件管理员", Roles = [Roles.Handler], DepartmentId = ed, IsDocumentAdmin = true, NewPassword = "Passw0rd!",
        });
        _docAdmin = new Actor(docAdminId, $"doc{n}", "文件管理员", [Roles.Handler], ed);
    }

    [Fact]
    public async Task A_release_is_approved_by_someone_else_then_published_with_a_record_and_filed()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => Releases.DraftAsync(_agent, "external", "x", "y"));
        var id = await Releases.DraftAsync(_leader, "external", "春节期间物业服务安排", "除夕至初三客服热线24小时值守");
        await Assert.ThrowsAsync<DomainException>(() => Releases.PublishAsync(_leader, id, "官网"));
        Assert.Equal("Release.OwnApproval", (await Assert.ThrowsAsync<DomainException>(() => Releases.DecideAsync(_leader, id, true, null))).Code);
        await Assert.ThrowsAsync<ForbiddenException>(() => Releases.DecideAsync(_supervisor, id, true, null));

        await Releases.DecideAsync(_leader2, id, true, null);
        Assert.True((await Assert.ThrowsAsync<ValidationFailedException>(() => Releases.PublishAsync(_leader, id, " "))).Errors.ContainsKey("Channel"));
        _s.Clock.Advance(TimeSpan.FromHours(1));
        await Releases.PublishAsync(_leader, id, "公司官网");

        var r = Assert.Single(await Releases.ListAsync(_agent), x => x.Id == id);
        Assert.Equal(("published", "ldr2", "ldr", "公司官网", _s.Clock.GetUtcNow()), (r.State, r.ApproverName?.Replace(_n, ""), r.PublishedByName?.Replace(_n, ""), r.Channel, r.PublishedAt!.Value));
        Assert.Equal("external_release/stored", await Scalar<string>("SELECT kind || '/' || state FROM info_records WHERE source_type = 'release' AND source_id = @id", new { id = (long)id }));
    }

    [Fact]
    public async Task A_rejected_release_needs_a_reason_and_is_never_published_nor_seen_by_others()
    {
        var id = await Releases.DraftAsync(_supervisor, "internal", "客服部排班调整", "下周起早班8:00");
        Assert.DoesNotContain(await Releases.ListAsync(_agent), x => x.Id == id);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Releases.DecideAsync(_leader, id, false, ""));
        await Releases.DecideAsync(_leader, id, false, "与人力资源部通知冲突");
        var r = Assert.Single(await Releases.ListAsync(_supervisor), x => x.Id == id);
        Assert.Equal(("rejected", "与人力资源部通知冲突"), (r.State, r.RejectedReason));
        await Assert.ThrowsAsync<DomainException>(() => Releases.PublishAsync(_leader, id, "内部公告栏"));
        Assert.DoesNotContain(await Releases.ListAsync(_agent), x => x.Id == id);
    }

    [Fact]
    public async Task A_formal_document_reaches_the_document_administrator_who_forwards_it_and_each_forward_is_recorded()
    {
        var doc = await Documents.SendAsync(_engManager, "关于3号楼外墙维修的报告", "外墙空鼓面积约120平方米，拟于下月施工");
        Assert.Equal(1, await Scalar<int>("SELECT count(*) FROM notifications WHERE user_id = @id AND message_key = 'Document.Notify.Received'", new { id = _docAdmin.Id }));
        await Assert.ThrowsAsync<ForbiddenException>(() => Documents.ListAsync(_supervisor, DocumentBox.Inbox));
        await Assert.ThrowsAsync<ForbiddenException>(() => Documents.ForwardAsync(_supervisor, doc, _leader.Id, null, ""));
        Assert.Contains(await Documents.ListAsync(_docAdmin, DocumentBox.Inbox), d => d.Id == doc);
        Assert.DoesNotContain(await Documents.ListAsync(_leader, DocumentBox.Received), d => d.Id == doc);

        await Documents.ForwardAsync(_docAdmin, doc, _leader.Id, null, "请审阅");
        _s.Clock.Advance(TimeSpan.FromMinutes(5));
        await Documents.ForwardAsync(_docAdmin, doc, null, _engDept, "请安排施工");
        Assert.Equal("Document.AlreadyForwarded", (await Assert.ThrowsAsync<DomainException>(() => Documents.ForwardAsync(_docAdmin, doc, _leader.Id, null, ""))).Code);
        Assert.True((await Assert.ThrowsAsync<ValidationFailedException>(() => Documents.ForwardAsync(_docAdmin, doc, _outsider.Id, null, ""))).Errors.ContainsKey("Recipient"));

        Assert.Contains(await Documents.ListAsync(_leader, DocumentBox.Received), d => d.Id == doc);
        Assert.Contains(await Documents.ListAsync(_engineer, DocumentBox.Received), d => d.Id == doc);
        Assert.DoesNotContain(await Documents.ListAsync(_leader2, DocumentBox.Received), d => d.Id == doc);
        Assert.DoesNotContain(await Documents.ListAsync(_outsider, DocumentBox.Received), d => d.Id == doc);
        Assert.Contains(await Documents.ListAsync(_engineer, DocumentBox.Sent), d => d.Id == doc);
        Assert.Equal(1, await Scalar<int>("SELECT count(*) FROM notifications WHERE user_id = @id AND message_key = 'Document.Notify.Forwarded'", new { id = _engineer.Id }));

        var forwards = await Documents.ForwardsAsync(_engManager, doc);
        Assert.Equal([($"ldr{_n}", null, "文件管理员", "请审阅"), (null, $"EN{_n}部", "文件管理员", "请安排施工")],
            forwards.Select(f => (f.ToUserName, f.ToDepartmentName, f.ForwardedByName, f.Note)));
        await Assert.ThrowsAsync<ForbiddenException>(() => Documents.ForwardsAsync(_outsider, doc));
    }

    [Fact]
    public async Task A_shared_credential_is_flagged_when_someone_of_its_department_leaves_until_its_password_changes()
    {
        var users = _s.Get<UserRepository>();
        var n = Guid.NewGuid().ToString("N")[..6];
        var shared = await users.SaveAsync(Actor.System, new UserEdit { UserName = $"engshared{n}", DisplayName = "工程部共用", Roles = [Roles.Handler], DepartmentId = _engDept, IsShared = true, NewPassword = "Shared2026a" });
        async Task<UserListItem> Row() => (await users.SearchAsync(Actor.System, $"engshared{n}", null, null, 0, 10)).Items.Single();
        Assert.True((await Row()).IsShared);
        Assert.Null((await Row()).RotationRequiredSince);

        var r = await _s.Get<OffboardingService>().OffboardAsync(Actor.System, _engineer.Id, _engManager.Id);
        Assert.Equal(1, r.SharedCredentialsFlagged);
        Assert.NotNull((await Row()).RotationRequiredSince);

        // Saving without a new password keeps the flag; a new password clears it.
        var edit = new UserEdit { Id = shared, UserName = $"engshared{n}", DisplayName = "工程部共用", Roles = [Roles.Handler], DepartmentId = _engDept, IsShared = true };
        await users.SaveAsync(Actor.System, edit);
        Assert.NotNull((await Row()).RotationRequiredSince);
        edit.NewPassword = "Rotated2026b";
        await users.SaveAsync(Actor.System, edit);
        Assert.Null((await Row()).RotationRequiredSince);
    }
}

