using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Information;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Information;

public sealed class InformationRegisterTests(DatabaseFixture db) : WorldTests<DataWorld>(db)
{
    private InformationRegister Register => _s.Get<InformationRegister>();
    private Actor _supervisor = default!, _admin = default!, _leader = default!, _handler = default!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var n = Guid.NewGuid().ToString("N")[..6];
        _supervisor = new Actor(await Build.UserAsync(_s, $"sup{n}", [Roles.CsSupervisor]), "sup", "主管", [Roles.CsSupervisor], null);
        _admin = new Actor(await Build.UserAsync(_s, $"adm{n}", [Roles.Admin]), "adm", "管理员", [Roles.Admin], null);
        _leader = new Actor(await Build.UserAsync(_s, $"ldr{n}", [Roles.Leadership]), "ldr", "领导", [Roles.Leadership], null);
        _handler = new Actor(await Build.UserAsync(_s, $"hdl{n}", [Roles.Handler]), "hdl", "处理人", [Roles.Handler], null);
    }

    [Fact]
    public async Task The_five_classes_and_their_kinds_each_have_an_owner_readers_and_a_retention()
    {
        var kinds = await Register.KindsAsync();
        Assert.Equal(["company", "customer_private", "customer_to_company", "commercial", "product"], kinds.Select(k => k.Class).Distinct());
        Assert.All(kinds, k => Assert.True(k.ReaderRoles.Length > 0 && k.RetentionMonths > 0 && k.OwnerDepartmentCode.Length > 0));
    }

    [Fact]
    public async Task Destruction_after_retention_leaves_a_tombstone_and_no_private_data()
    {
        var customer = await Build.CustomerAsync(_s, "赵先生", "13712345678");
        var id = await Register.FileAsync(_supervisor, "personal_info", "赵先生身份证复印件", "身份证号 110101199001011234", "110101199001011234", customer);
        await Register.StoreAsync(_supervisor, id);
        await Assert.ThrowsAsync<DomainException>(() => Register.RequestDestructionAsync(_supervisor, id, "保存期满"));

        _s.Clock.Advance(TimeSpan.FromDays(366 * 10 + 3));
        await Register.RequestDestructionAsync(_supervisor, id, "保存期满，按规定销档");
        await Assert.ThrowsAsync<ForbiddenException>(() => Register.ApproveDestructionAsync(_supervisor, id));
        await Register.ApproveDestructionAsync(_leader, id);

        var tomb = Assert.Single(await Register.RecordsAsync(_supervisor, "personal_info"), r => r.Id == id);
        Assert.Equal(("destroyed", "赵先生身份证复印件", "保存期满，按规定销档"), (tomb.State, tomb.Title, tomb.DestroyReason));
        Assert.Null(tomb.Body);
        Assert.Null(tomb.PrivateData);
        Assert.NotNull(tomb.DestroyedAt);
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM info_records WHERE body LIKE '%110101199001011234%' OR private_data IS NOT NULL AND id = @id", new { id }));
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE action = 'info-destroyed' AND entity_id = @id", new { id = id.ToString() }));
    }

    [Fact]
    public async Task The_requester_cannot_approve_their_own_destruction()
    {
        var id = await Register.FileAsync(_admin, "case_collection", "案例", "内容", null, null);
        await Register.StoreAsync(_admin, id);
        _s.Clock.Advance(TimeSpan.FromDays(366 * 10 + 3));
        await Register.RequestDestructionAsync(_admin, id, "期满");
        Assert.Equal("Info.ApprovalRefused", (await Assert.ThrowsAsync<DomainException>(() => Register.ApproveDestructionAsync(_admin, id))).Code);
    }

    [Fact]
    public async Task A_reader_outside_a_kinds_access_gets_nothing()
    {
        await Register.FileAsync(_supervisor, "membership_info", "会籍变更", "金卡升级", "HY202612345", null);
        await Assert.ThrowsAsync<ForbiddenException>(() => Register.RecordsAsync(_handler, "membership_info"));
        await Assert.ThrowsAsync<ForbiddenException>(() => Register.FileAsync(_handler, "membership_info", "x", "y", null, null));
        Assert.NotEmpty(await Register.RecordsAsync(_supervisor, "membership_info"));
    }
}
