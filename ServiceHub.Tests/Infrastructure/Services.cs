using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>The Data services over a test database, composed as the app composes them (<c>AddServiceHubData</c>), with a clock the test moves.</summary>
public sealed class TestServices : IAsyncDisposable
{
    public string ConnectionString { get; }
    public FakeTimeProvider Clock { get; }
    public ServiceProvider Provider { get; }

    /// <summary>
    /// The services over <paramref name="connectionString"/>; with <paramref name="dataSource"/>, over that pool of connections instead of
    /// one of their own (not disposed with them: see <see cref="SharedDataSources"/>).
    /// </summary>
    public TestServices(string connectionString, DateTimeOffset? now = null, NpgsqlDataSource? dataSource = null)
    {
        ConnectionString = connectionString;
        Clock = new FakeTimeProvider(now ?? TestClock.Start);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddServiceHubData(connectionString);
        if (dataSource is not null) services.AddSingleton(dataSource); // the last registration is the one resolved; an instance is not the container's to dispose
        Provider = services.BuildServiceProvider();
    }

    public T Get<T>() where T : notnull => Provider.GetRequiredService<T>();

    /// <summary>The demo company's seeder (registered only where the demo is asked for, so made here on this database).</summary>
    public DemoSeeder Demo() => ActivatorUtilities.CreateInstance<DemoSeeder>(Provider);

    public ValueTask DisposeAsync() => Provider.DisposeAsync();
}

/// <summary>
/// One pool of connections per test database for the worlds made per test over it (<see cref="World{TSelf}.CreateAsync(string, DateTimeOffset?)"/>):
/// a world's own pool opened new server sessions for every test — a backend started, Npgsql's type loading, the catalog caches cold —
/// where the next test's world can take the previous one's. Disposed when the database is dropped (<see cref="TestServer.DropDatabaseAsync"/>).
/// </summary>
public static class SharedDataSources
{
    private static readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> Pools = new();

    public static NpgsqlDataSource For(string connectionString) =>
        Pools.GetOrAdd(Database(connectionString), _ => new(() => NpgsqlDataSource.Create(DataServiceCollectionExtensions.WithKeepAlive(connectionString)))).Value;

    /// <summary>Closes the database's pool, if it has one.</summary>
    public static async Task CloseAsync(string connectionString)
    {
        if (Pools.TryRemove(Database(connectionString), out var pool) && pool.IsValueCreated) await pool.Value.DisposeAsync();
    }

    private static string Database(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;
}

/// <summary>Builders for people and master data in tests.</summary>
public static class Build
{
    public static Actor Actor(int id, params string[] roles) => new(id, $"user{id}", $"User {id}", roles, null);

    /// <summary>One hash per password for the whole run, of one round (<see cref="TestPasswords"/>).</summary>
    private static readonly ConcurrentDictionary<string, string> PasswordHashes = new();

    /// <summary>
    /// A new account written as <see cref="UserRepository.SaveAsync"/> writes it (the row and its audit entry, in one transaction), the
    /// password's hash computed once per password for the run, of one round (<see cref="TestPasswords"/>; any hash of the password signs in, the salt is inside it). The form's
    /// checks are <see cref="UserRepository.SaveAsync"/>'s own, tested with it; a builder's input is a test's constant.
    /// </summary>
    public static async Task<int> UserAsync(TestServices s, string userName, string[] roles, int? departmentId = null, string password = "Passw0rd!")
    {
        var hash = PasswordHashes.GetOrAdd(password, TestPasswords.Hash);
        await using var conn = await s.Get<NpgsqlDataSource>().OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var id = await conn.ExecuteScalarAsync<int>("""
            INSERT INTO users (user_name, display_name, password_hash, roles, department_id) VALUES (@userName, @userName, @hash, @roles, @departmentId)
            RETURNING id
            """, new { userName, hash, roles = roles.Distinct().ToArray(), departmentId }, tx);
        await s.Get<AuditLog>().WriteAsync(conn, tx, ServiceHub.Data.Infrastructure.Actor.System, AuditLog.Actions.Create, "user", id.ToString(), userName, default);
        await tx.CommitAsync();
        return id;
    }

    public static async Task<int> DepartmentAsync(TestServices s, string code, int? managerId = null, int? vpId = null, int? rvLeadId = null)
        => await s.Get<DepartmentRepository>().SaveAsync(ServiceHub.Data.Infrastructure.Actor.System,
            new DepartmentEdit { Code = code, Name = code + "部", NameEn = code + " Dept", ManagerUserId = managerId, SupervisingVpId = vpId, ReturnVisitLeadId = rvLeadId });

    public static async Task<(int ProjectId, int UnitId)> ProjectWithUnitAsync(TestServices s, string code)
    {
        var projects = s.Get<ProjectRepository>();
        var projectId = await projects.SaveAsync(ServiceHub.Data.Infrastructure.Actor.System, new ProjectEdit { Code = code, Name = code + "苑" });
        var buildingId = await projects.AddBuildingAsync(ServiceHub.Data.Infrastructure.Actor.System, projectId, "1号楼", ["101", "102"]);
        var unitId = (await projects.UnitsAsync(buildingId))[0].Id;
        return (projectId, unitId);
    }

    public static async Task<int> CustomerAsync(TestServices s, string name, string phone, int? unitId = null)
        => await s.Get<CustomerRepository>().SaveAsync(ServiceHub.Data.Infrastructure.Actor.System,
            new CustomerEdit { Name = name, Phone = phone, UnitId = unitId });

    /// <summary>An existing account (a demo user, say) as the actor it signs in as.</summary>
    public static async Task<Actor> ActorAsync(this UserRepository users, string userName)
    {
        var u = await users.FindByUserNameAsync(userName) ?? throw new InvalidOperationException($"no user {userName}");
        return new Actor(u.Id, u.UserName, u.DisplayName, u.Roles, u.DepartmentId);
    }
}
