using ServiceHub.Data.Admin;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Assessment;

/// <summary>
/// Two departments of its own (each with a manager and a handler), the Enterprise Development Dept's document administrator,
/// leadership, an admin and an agent; the clock starts on 20 December 2026, Beijing time.
/// </summary>
public sealed class AssessmentWorld : World<AssessmentWorld>
{
    public int Dept1 { get; private set; }
    public int Dept2 { get; private set; }
    public Actor Manager1 { get; private set; } = default!;
    public Actor Handler1 { get; private set; } = default!;
    public Actor Manager2 { get; private set; } = default!;
    public Actor EdHandler { get; private set; } = default!;
    /// <summary>A manager and a handler of the Enterprise Management Dept (企业管理部), which sets the reporting formats.</summary>
    public Actor EmManager { get; private set; } = default!;
    public Actor EmHandler { get; private set; } = default!;
    public Actor Leader { get; private set; } = default!;
    public Actor Admin { get; private set; } = default!;
    public Actor Agent { get; private set; } = default!;

    public ReportingCalendar Calendar => S.Get<ReportingCalendar>();
    public InformationAssessment Assessment => S.Get<InformationAssessment>();
    public ReportFormats Formats => S.Get<ReportFormats>();

    public static DateTimeOffset Beijing(int y, int m, int d, int h = 0, int min = 0) => TestClock.Beijing(y, m, d, h, min);

    protected override DateTimeOffset Start => Beijing(2026, 12, 20, 10);

    protected override async Task SetUpAsync()
    {
        var n = Guid.NewGuid().ToString("N")[..6];
        var ed = await ScalarAsync<int?>("SELECT id FROM departments WHERE code = 'ED'")
            ?? await ScalarAsync<int>("INSERT INTO departments (code, name, name_en) VALUES ('ED', '企业发展部', 'Enterprise Development Dept') ON CONFLICT (code) DO UPDATE SET code = 'ED' RETURNING id");
        var em = await ScalarAsync<int?>("SELECT id FROM departments WHERE code = 'EM'")
            ?? await ScalarAsync<int>("INSERT INTO departments (code, name, name_en) VALUES ('EM', '企业管理部', 'Enterprise Management Dept') ON CONFLICT (code) DO UPDATE SET code = 'EM' RETURNING id");
        // The test class shares its database: every test starts from the migration's rules, bands and lag, and no formats.
        await ExecuteAsync("""
            DELETE FROM report_formats;
            UPDATE reporting_settings SET instant_lag_hours = 24;
            UPDATE assessment_rules SET points = 1, cap = 3, is_active = true WHERE code = 'INFO_NOT_TRUE';
            DELETE FROM assessment_grade_bands;
            INSERT INTO assessment_grade_bands (grade, lower_bound, upper_bound) VALUES ('A', 9, 10), ('B', 8, 9), ('C', 6, 8), ('D', 0, 6);
            """);
        Dept1 = await Build.DepartmentAsync(S, "P" + n);
        Dept2 = await Build.DepartmentAsync(S, "E" + n);
        Manager1 = await PersonAsync("mgr1" + n, Roles.DeptManager, Dept1, "mgr1");
        Handler1 = await PersonAsync("hdl1" + n, Roles.Handler, Dept1, "hdl1");
        Manager2 = await PersonAsync("mgr2" + n, Roles.DeptManager, Dept2, "mgr2");
        EdHandler = await PersonAsync("doc" + n, Roles.Handler, ed, "doc");
        EmManager = await PersonAsync("emm" + n, Roles.DeptManager, em, "emm");
        EmHandler = await PersonAsync("emh" + n, Roles.Handler, em, "emh");
        Leader = await PersonAsync("ldr" + n, Roles.Leadership, null, "ldr");
        Admin = await PersonAsync("adm" + n, Roles.Admin, null, "adm");
        Agent = await PersonAsync("agt" + n, Roles.Agent, Dept1, "agt");
    }

    public async Task<DepartmentScore> ScoreAsync(int department, string period) =>
        Assert.Single(await Assessment.ScoresAsync(Admin, AssessmentPeriod.Parse(period)), d => d.DepartmentId == department);

    public async Task<ReportItem> ItemAsync(int department, int year, string kind) =>
        Assert.Single(await Calendar.ItemsAsync(Admin, year, department), i => i.Kind == kind);

    public void MoveTo(DateTimeOffset at) => S.Clock.SetUtcNow(at);
}
