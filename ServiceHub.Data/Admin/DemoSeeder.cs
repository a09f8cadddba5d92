using Dapper;
using Npgsql;
using ServiceHub.Data.Operations;

namespace ServiceHub.Data.Admin;

/// <summary>
/// Seeds the demo company once: the manual's departments, one account per role, three projects with buildings and
/// units, and about 200 customers. Deterministic, so the demo is the same on every machine. The database is marked a demo in the
/// same transaction; a database holding other accounts is refused (<see cref="Installation.DemoSeedingAsync"/>).
/// </summary>
public sealed partial class DemoSeeder(NpgsqlDataSource db, TimeProvider clock)
{
    public const string DemoPassword = "ServiceHub2026";

    public sealed record DemoAccount(string UserName, string DisplayName, string[] Roles, string? DepartmentCode);

    public static readonly IReadOnlyList<(string Code, string Name, string NameEn)> DemoDepartments =
    [
        ("CS", "客户服务部", "Customer Service Dept"),
        ("ED", "企业发展部", "Enterprise Development Dept"),
        ("EM", "企业管理部", "Enterprise Management Dept"),
        ("HR", "人力资源部", "Human Resources Dept"),
        ("PM", "物业公司", "Property Company"),
        ("ENG", "工程部", "Engineering Dept"),
        ("MKT", "营销部", "Sales & Marketing Dept"),
        ("DES", "设计部", "Design Dept"),
        ("FIN", "财务部", "Finance Dept"),
    ];

    public static readonly IReadOnlyList<DemoAccount> DemoAccounts =
    [
        new("admin", "系统管理员", [Roles.Admin], "ED"),
        new("agent", "王丽", [Roles.Agent], "CS"),
        new("agent2", "赵敏", [Roles.Agent], "CS"),
        new("supervisor", "陈静", [Roles.CsSupervisor], "CS"),
        new("csmanager", "黄海燕", [Roles.DeptManager, Roles.CsSupervisor], "CS"),
        new("returnvisit", "周婷", [Roles.ReturnVisit], "CS"),
        new("returnvisit2", "吴磊", [Roles.ReturnVisit], "CS"),
        new("handler", "刘强", [Roles.Handler], "PM"),
        new("pmmanager", "张建国", [Roles.DeptManager], "PM"),
        new("enghandler", "孙伟", [Roles.Handler], "ENG"),
        new("engmanager", "李志刚", [Roles.DeptManager], "ENG"),
        new("mktmanager", "马晓东", [Roles.DeptManager], "MKT"),
        new("hr", "吴芳", [Roles.Hr], "HR"),
        new("leader", "郑国华", [Roles.Leadership], null),
        new("vp", "钱明远", [Roles.Leadership], null),
        new("docadmin", "林雪", [Roles.Handler], "ED"),
        new("emmanager", "何文博", [Roles.DeptManager], "EM"),
    ];

    private static readonly (string Code, string Name, string Address, string Dept, int Buildings, int Floors, int UnitsPerFloor)[] DemoProjects =
    [
        ("CHY", "翠湖苑", "北京市海淀区翠湖南路8号", "PM", 6, 18, 4),
        ("JTC", "金泰城", "北京市朝阳区望京东路16号", "PM", 4, 24, 4),
        ("XSY", "西山御园", "北京市门头沟区石龙路1号", "PM", 8, 6, 2),
    ];

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"];
    private static readonly string[] GivenNames = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "晓东", "志强", "海燕", "春梅", "国庆", "雪梅", "宇", "子涵", "浩然", "欣怡", "思远", "晨", "佳怡", "一鸣", "嘉欣"];
    private static readonly string[] MobilePrefixes = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159", "176", "177", "180", "183", "186", "187", "188", "189", "199"];

    public async Task<bool> SeedAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(7001)", transaction: tx, cancellationToken: ct));
        switch (await Installation.DemoSeedingAsync(conn, tx, ct))
        {
            case DemoSeeding.AlreadyDemo: return false;
            case DemoSeeding.Refused: throw new Installation.DemoRefusedException();
        }

        var now = clock.GetUtcNow();
        await Installation.MarkDemoAsync(conn, tx, now, ct);
        var deptIds = new Dictionary<string, int>();
        foreach (var (code, name, nameEn) in DemoDepartments)
            deptIds[code] = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "INSERT INTO departments (code, name, name_en, created_at) VALUES (@code, @name, @nameEn, @now) RETURNING id",
                new { code, name, nameEn, now }, tx, cancellationToken: ct));

        var hash = UserRepository.HashPassword(DemoPassword);
        var userIds = new Dictionary<string, int>();
        var phone = 0;
        foreach (var a in DemoAccounts)
            userIds[a.UserName] = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO users (user_name, display_name, password_hash, roles, department_id, phone, created_at)
                VALUES (@UserName, @DisplayName, @hash, @Roles, @dept, @phone, @now) RETURNING id
                """, new { a.UserName, a.DisplayName, hash, a.Roles, dept = a.DepartmentCode is null ? (int?)null : deptIds[a.DepartmentCode], phone = $"1391000{++phone:0000}", now },
                tx, cancellationToken: ct));

        // The property company's staff register what they receive on site as first responders (DOMAIN.md §3, §4).
        await conn.ExecuteAsync(new CommandDefinition("UPDATE departments SET staff_register_contacts = true WHERE id = @id", new { id = deptIds["PM"] }, tx, cancellationToken: ct));

        // The Enterprise Development Dept's document administrator: formal documents reach them (DOMAIN.md §2).
        await conn.ExecuteAsync(new CommandDefinition("UPDATE users SET is_document_admin = true WHERE id = @id", new { id = userIds["docadmin"] }, tx, cancellationToken: ct));

        // Managers, return-visit leads and the supervising vice-presidents of each department.
        async Task Assign(string dept, string? manager, string? rvLead, string vp) =>
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE departments SET manager_user_id = @m, return_visit_lead_id = @r, supervising_vp_id = @v WHERE id = @id",
                new { id = deptIds[dept], m = manager is null ? (int?)null : userIds[manager], r = rvLead is null ? (int?)null : userIds[rvLead], v = userIds[vp] },
                tx, cancellationToken: ct));
        await Assign("CS", "csmanager", "returnvisit", "vp");
        await Assign("PM", "pmmanager", "handler", "leader");
        await Assign("ENG", "engmanager", "enghandler", "leader");
        await Assign("MKT", "mktmanager", null, "vp");
        foreach (var d in new[] { "ED", "EM", "HR", "DES", "FIN" }) await Assign(d, null, null, "vp");

        var unitIds = new List<int>();
        foreach (var p in DemoProjects)
        {
            var projectId = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO projects (code, name, address, property_department_id, created_at) VALUES (@Code, @Name, @Address, @dept, @now) RETURNING id
                """, new { p.Code, p.Name, p.Address, dept = deptIds[p.Dept], now }, tx, cancellationToken: ct));
            for (var b = 1; b <= p.Buildings; b++)
            {
                var buildingId = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                    "INSERT INTO buildings (project_id, name) VALUES (@projectId, @name) RETURNING id",
                    new { projectId, name = $"{b}号楼" }, tx, cancellationToken: ct));
                var numbers = (from f in Enumerable.Range(1, p.Floors) from u in Enumerable.Range(1, p.UnitsPerFloor) select $"{f}{u:00}").ToArray();
                var ids = await conn.QueryAsync<int>(new CommandDefinition(
                    "INSERT INTO units (building_id, number) SELECT @buildingId, n FROM unnest(@numbers) n RETURNING id",
                    new { buildingId, numbers }, tx, cancellationToken: ct));
                unitIds.AddRange(ids);
            }
        }

        var rng = new Random(2026);
        var used = new HashSet<string>();
        var levels = new[] { "金卡会员", "银卡会员", "普通会员" };
        for (var i = 0; i < 200; i++)
        {
            var name = Surnames[rng.Next(Surnames.Length)] + GivenNames[rng.Next(GivenNames.Length)];
            string mobile;
            do mobile = MobilePrefixes[rng.Next(MobilePrefixes.Length)] + rng.Next(0, 100_000_000).ToString("00000000"); while (!used.Add(mobile));
            var member = rng.Next(3) == 0;
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO customers (name, phone, phone2, unit_id, membership_no, membership_level, created_at, updated_at)
                VALUES (@name, @mobile, @phone2, @unit, @memberNo, @level, @now, @now)
                """, new
            {
                name, mobile,
                phone2 = rng.Next(5) == 0 ? $"010-{rng.Next(6000_0000, 8999_9999)}" : null,
                unit = unitIds[rng.Next(unitIds.Count)],
                memberNo = member ? $"HY{2018 + rng.Next(8)}{rng.Next(10000, 99999)}" : null,
                level = member ? levels[rng.Next(levels.Length)] : null,
                now,
            }, tx, cancellationToken: ct));
        }

        await SeedReportingAsync(conn, tx, deptIds, userIds, now, ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
