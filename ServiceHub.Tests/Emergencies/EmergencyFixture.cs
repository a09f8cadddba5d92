using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Emergencies;

/// <summary>A database of the class's own with the demo company (departments, managers, supervising VPs, leadership) and the Data services over it.</summary>
public sealed class EmergencyFixture : World<EmergencyFixture>
{
    public EmergencyRepository Emergencies => S.Get<EmergencyRepository>();

    protected override async Task SetUpAsync() => await S.Get<DemoSeeder>().SeedAsync();
}

/// <summary>Builders for emergencies over a database seeded with the demo company.</summary>
public static class EmergencyTestData
{
    private static async Task<int> DepartmentAsync(NpgsqlDataSource db, string code)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT id FROM departments WHERE code = @code", new { code });
    }

    public static async Task<EmergencyReport> ReportAsync(NpgsqlDataSource db, DateTimeOffset now, string department = "PM", string kind = EmergencyKinds.FireExplosion)
    {
        await using var conn = await db.OpenConnectionAsync();
        var projectId = await conn.ExecuteScalarAsync<int>("SELECT id FROM projects WHERE code = 'CHY'");
        return new EmergencyReport
        {
            Kind = kind, ProjectId = projectId, Location = "3号楼地下车库", OccurredAt = now.AddMinutes(-15),
            Description = "车库配电间起火，已疏散", ResponsibleDepartmentId = await DepartmentAsync(db, department),
        };
    }

    /// <summary>(user name, reason, acknowledged) of every alert of an emergency.</summary>
    public static async Task<List<(string User, string Reason, bool Acknowledged)>> AlertsAsync(NpgsqlDataSource db, int emergencyId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<AlertRow>("""
            SELECT u.user_name, a.reason, a.acknowledged_at IS NOT NULL AS acknowledged
            FROM emergency_alerts a JOIN users u ON u.id = a.user_id WHERE a.emergency_id = @emergencyId ORDER BY a.id
            """, new { emergencyId })).Select(a => (a.UserName, a.Reason, a.Acknowledged)).ToList();
    }

    private sealed record AlertRow(string UserName, string Reason, bool Acknowledged);

    public static async Task<List<string>> EventsAsync(NpgsqlDataSource db, int emergencyId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<string>("SELECT kind FROM emergency_events WHERE emergency_id = @emergencyId ORDER BY at, id", new { emergencyId })).AsList();
    }
}
