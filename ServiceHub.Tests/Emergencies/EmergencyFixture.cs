using Dapper;
using Microsoft.Extensions.DependencyInjection;
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

    protected override bool SeedsDemo => true;

    protected override async Task SetUpAsync() => await S.Demo().SeedAsync();
}

/// <summary>Builders for emergencies over a database seeded with the demo company.</summary>
public static class EmergencyTestData
{
    /// <summary>A demo account as the actor it signs in as.</summary>
    public static async Task<Actor> ActorAsync(NpgsqlDataSource db, string userName)
    {
        await using var conn = await db.OpenConnectionAsync();
        var u = await conn.QuerySingleAsync<(int Id, string DisplayName, string[] Roles, int? DepartmentId)>(
            "SELECT id, display_name, roles, department_id FROM users WHERE user_name = @userName", new { userName });
        return new Actor(u.Id, userName, u.DisplayName, u.Roles, u.DepartmentId);
    }

    public static async Task<int> DepartmentAsync(NpgsqlDataSource db, string code)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT id FROM departments WHERE code = @code", new { code });
    }

    /// <summary>A complete report of a fire in 翠湖苑 that happened <paramref name="occurredAt"/> (default: 15 minutes before <paramref name="now"/>).</summary>
    public static async Task<EmergencyReport> ReportAsync(NpgsqlDataSource db, DateTimeOffset now, string department = "PM", string kind = EmergencyKinds.FireExplosion,
        DateTimeOffset? occurredAt = null)
    {
        await using var conn = await db.OpenConnectionAsync();
        var projectId = await conn.ExecuteScalarAsync<int>("SELECT id FROM projects WHERE code = 'CHY'");
        return new EmergencyReport
        {
            Kind = kind, KindDetail = kind == EmergencyKinds.Other ? "电梯困人超过一小时" : "",
            ProjectId = projectId, Location = "3号楼地下车库", OccurredAt = occurredAt ?? now.AddMinutes(-15),
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

    /// <summary>(kind, at) of every event of an emergency, in order.</summary>
    public static async Task<List<(string Kind, DateTimeOffset At)>> TimedEventsAsync(NpgsqlDataSource db, int emergencyId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<(string, DateTimeOffset)>(
            "SELECT kind, at FROM emergency_events WHERE emergency_id = @emergencyId ORDER BY at, id", new { emergencyId })).AsList();
    }

    /// <summary>
    /// A business-time instant (Beijing) on a fresh day after the clock's current one, so a test can name its times ("10:00",
    /// "11:30") and move a shared clock only forward.
    /// </summary>
    public static Func<int, int, int, DateTimeOffset> FreshDay(TimeProvider clock)
    {
        var day = BusinessTime.ToLocal(clock.GetUtcNow()).Date.AddDays(1);
        return (hour, minute, second) => BusinessTime.FromLocal(day + new TimeSpan(hour, minute, second));
    }
}
