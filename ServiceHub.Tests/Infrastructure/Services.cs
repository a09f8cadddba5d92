using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>The Data services over a test database, composed as the app composes them (<c>AddServiceHubData</c>), with a clock the test moves.</summary>
public sealed class TestServices : IAsyncDisposable
{
    public string ConnectionString { get; }
    public FakeTimeProvider Clock { get; }
    public ServiceProvider Provider { get; }

    public TestServices(string connectionString, DateTimeOffset? now = null)
    {
        ConnectionString = connectionString;
        Clock = new FakeTimeProvider(now ?? TestClock.Start);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddServiceHubData(connectionString);
        Provider = services.BuildServiceProvider();
    }

    public T Get<T>() where T : notnull => Provider.GetRequiredService<T>();

    /// <summary>The demo company's seeder (registered only where the demo is asked for, so made here on this database).</summary>
    public DemoSeeder Demo() => ActivatorUtilities.CreateInstance<DemoSeeder>(Provider);

    public ValueTask DisposeAsync() => Provider.DisposeAsync();
}

/// <summary>Builders for people and master data in tests.</summary>
public static class Build
{
    public static Actor Actor(int id, params string[] roles) => new(id, $"user{id}", $"User {id}", roles, null);

    public static async Task<int> UserAsync(TestServices s, string userName, string[] roles, int? departmentId = null, string password = "Passw0rd!")
        => await s.Get<UserRepository>().SaveAsync(ServiceHub.Data.Infrastructure.Actor.System,
            new UserEdit { UserName = userName, DisplayName = userName, Roles = [.. roles], DepartmentId = departmentId, NewPassword = password });

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
