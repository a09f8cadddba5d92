using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// Test data over one test database: the Data services composed as the app composes them (<see cref="TestServices"/>), a clock
/// the test moves (from <see cref="Start"/>), builders for people, and SQL for what a test sets up or reads straight from the
/// tables. A derived world creates its people and records in <see cref="SetUpAsync"/>.
/// <para>
/// Three ways to have one: as an xunit class fixture (it creates and drops a database of its own, shared by the class's tests);
/// per test over the test class's database (<see cref="CreateAsync(string)"/>, as <see cref="WorldTests{TWorld}"/> does; names are
/// unique per world, so worlds stand side by side in one database); or inside another world, over that world's services and
/// clock (<see cref="CreateAsync(TestServices)"/>).
/// </para>
/// </summary>
public abstract class World<TSelf> : IAsyncLifetime where TSelf : World<TSelf>, new()
{
    private static int _count;
    private TestServices? _services;
    private bool _ownsServices;
    private string? _ownDatabase;

    public TestServices S => _services ?? throw new InvalidOperationException($"{typeof(TSelf).Name} is not set up.");
    public FakeTimeProvider Clock => S.Clock;
    public NpgsqlDataSource DataSource => S.Get<NpgsqlDataSource>();
    public string ConnectionString => S.ConnectionString;
    public T Get<T>() where T : notnull => S.Get<T>();

    /// <summary>Where the clock starts when the world makes its own services.</summary>
    protected virtual DateTimeOffset Start => TestClock.Start;

    /// <summary>
    /// Whether <see cref="SetUpAsync"/> begins by seeding the demo company: as a class fixture starting at <see cref="TestClock.Start"/>,
    /// the world's database is then a copy of the demo template (the seeding finds the demo there).
    /// </summary>
    protected virtual bool SeedsDemo => false;

    /// <summary>Creates the world's people and records.</summary>
    protected abstract Task SetUpAsync();

    /// <summary>A number no other world of this kind in the test run has, for unique user names, codes and phone numbers.</summary>
    protected static int NextNumber() => Interlocked.Increment(ref _count);

    /// <summary>
    /// A world with services of its own over an existing database (the test class's), on the database's shared pool of connections
    /// (<see cref="SharedDataSources"/>); its clock starts at <paramref name="start"/> when given, else at the world's <see cref="Start"/>.
    /// </summary>
    public static async Task<TSelf> CreateAsync(string connectionString, DateTimeOffset? start = null)
    {
        var world = new TSelf();
        await world.UseAsync(new TestServices(connectionString, start ?? world.Start, SharedDataSources.For(connectionString)), owns: true);
        return world;
    }

    /// <summary>A world inside another: the same services, database and clock.</summary>
    public static async Task<TSelf> CreateAsync(TestServices services)
    {
        var world = new TSelf();
        await world.UseAsync(services, owns: false);
        return world;
    }

    /// <summary>As a class fixture: a database of its own.</summary>
    public async Task InitializeAsync()
    {
        _ownDatabase = SeedsDemo && Start == TestClock.Start
            ? await TestServer.CreateDemoDatabaseAsync(typeof(TSelf).Name)
            : await TestServer.CreateDatabaseAsync(typeof(TSelf).Name);
        await UseAsync(new TestServices(_ownDatabase, Start), owns: true);
    }

    public async Task DisposeAsync()
    {
        if (_ownsServices && _services is not null) await _services.DisposeAsync();
        if (_ownDatabase is not null) await TestServer.DropDatabaseAsync(_ownDatabase);
    }

    private async Task UseAsync(TestServices services, bool owns)
    {
        _services = services;
        _ownsServices = owns;
        await SetUpAsync();
    }

    /// <summary>
    /// A new account with one role and the actor it acts as. The account's display name is its user name (as
    /// <see cref="Build.UserAsync"/> writes it); the actor carries <paramref name="displayName"/>, what timelines and messages show.
    /// </summary>
    public async Task<Actor> PersonAsync(string userName, string role, int? departmentId, string displayName) =>
        new(await Build.UserAsync(S, userName, [role], departmentId), userName, displayName, [role], departmentId);

    /// <summary>An existing account (a demo user, say) as the actor it signs in as.</summary>
    public Task<Actor> ActorAsync(string userName) => Get<UserRepository>().ActorAsync(userName);

    public async Task<int> DepartmentIdAsync(string code) =>
        await ScalarAsync<int>("SELECT id FROM departments WHERE code = @code", new { code });

    public async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    /// <summary>The first column of every row.</summary>
    public async Task<IReadOnlyList<T>> ScalarListAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, args)).AsList();
    }

    public async Task<int> ExecuteAsync(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return await conn.ExecuteAsync(sql, args);
    }
}
