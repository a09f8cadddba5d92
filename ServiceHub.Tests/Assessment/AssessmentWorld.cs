using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Assessment;

/// <summary>
/// Two departments of its own (each with a manager and a handler), the Enterprise Development Dept's document administrator,
/// leadership, an admin and an agent; the clock starts on 20 December 2026, Beijing time.
/// </summary>
public sealed class AssessmentWorld
{
    public required TestServices S { get; init; }
    public required int Dept1 { get; init; }
    public required int Dept2 { get; init; }
    public required Actor Manager1 { get; init; }
    public required Actor Handler1 { get; init; }
    public required Actor Manager2 { get; init; }
    public required Actor EdHandler { get; init; }
    public required Actor Leader { get; init; }
    public required Actor Admin { get; init; }
    public required Actor Agent { get; init; }

    public ReportingCalendar Calendar => S.Get<ReportingCalendar>();
    public InformationAssessment Assessment => S.Get<InformationAssessment>();

    public static DateTimeOffset Beijing(int y, int m, int d, int h = 0, int min = 0) => BusinessTime.FromLocal(new DateTime(y, m, d, h, min, 0));

    public static async Task<AssessmentWorld> CreateAsync(string connectionString)
    {
        var s = new TestServices(connectionString, Beijing(2026, 12, 20, 10));
        var n = Guid.NewGuid().ToString("N")[..6];
        await using var conn = new NpgsqlConnection(connectionString);
        var ed = await conn.ExecuteScalarAsync<int?>("SELECT id FROM departments WHERE code = 'ED'")
            ?? await conn.ExecuteScalarAsync<int>("INSERT INTO departments (code, name, name_en) VALUES ('ED', '企业发展部', 'Enterprise Development Dept') ON CONFLICT (code) DO UPDATE SET code = 'ED' RETURNING id");
        // The test class shares its database: every test starts from the migration's rules, bands and lag.
        await conn.ExecuteAsync("""
            UPDATE reporting_settings SET instant_lag_hours = 24;
            UPDATE assessment_rules SET points = 1, cap = 3, is_active = true WHERE code = 'INFO_NOT_TRUE';
            DELETE FROM assessment_grade_bands;
            INSERT INTO assessment_grade_bands (grade, lower_bound, upper_bound) VALUES ('A', 9, 10), ('B', 8, 9), ('C', 6, 8), ('D', 0, 6);
            """);
        var d1 = await Build.DepartmentAsync(s, "P" + n);
        var d2 = await Build.DepartmentAsync(s, "E" + n);
        async Task<Actor> Person(string name, string role, int? dept) =>
            new(await Build.UserAsync(s, name + n, [role], dept), name + n, name, [role], dept);
        return new AssessmentWorld
        {
            S = s, Dept1 = d1, Dept2 = d2,
            Manager1 = await Person("mgr1", Roles.DeptManager, d1),
            Handler1 = await Person("hdl1", Roles.Handler, d1),
            Manager2 = await Person("mgr2", Roles.DeptManager, d2),
            EdHandler = await Person("doc", Roles.Handler, ed),
            Leader = await Person("ldr", Roles.Leadership, null),
            Admin = await Person("adm", Roles.Admin, null),
            Agent = await Person("agt", Roles.Agent, d1),
        };
    }

    public async Task<DepartmentScore> ScoreAsync(int department, string period) =>
        Assert.Single(await Assessment.ScoresAsync(Admin, AssessmentPeriod.Parse(period)), d => d.DepartmentId == department);

    public async Task<ReportItem> ItemAsync(int department, int year, string kind) =>
        Assert.Single(await Calendar.ItemsAsync(Admin, year, department), i => i.Kind == kind);

    public void MoveTo(DateTimeOffset at) => S.Clock.SetUtcNow(at);
}
