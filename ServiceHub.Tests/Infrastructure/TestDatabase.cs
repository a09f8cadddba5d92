using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL server of the test run (SERVICEHUB_TEST_SERVER, set by ./servicehub.sh test). The migrations are
/// applied once to a template database; every test class gets a fresh copy of it (CREATE DATABASE … TEMPLATE). A second template
/// holds the demo company as seeded at <see cref="TestClock.Start"/>, for the apps and worlds that would seed it at that instant.
/// </summary>
public static class TestServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly SemaphoreSlim DemoGate = new(1, 1);
    private static string? _template;
    private static string? _demoTemplate;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("SERVICEHUB_TEST_SERVER")
        ?? throw new InvalidOperationException("SERVICEHUB_TEST_SERVER is not set: run the tests with ./servicehub.sh test");

    private static string For(string database, bool pooling = true) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = pooling, MaxPoolSize = 30 }.ConnectionString;

    public static async Task<string> CreateDatabaseAsync(string label) => await CopyAsync(await TemplateAsync(), label);

    /// <summary>
    /// A fresh copy of the migrated template with the demo company in it, seeded at <see cref="TestClock.Start"/> (the seeder is
    /// deterministic: the copy holds what seeding this database at that instant writes, and a later seeding finds the demo there).
    /// </summary>
    public static async Task<string> CreateDemoDatabaseAsync(string label) => await CopyAsync(await DemoTemplateAsync(), label);

    private static async Task<string> CopyAsync(string template, string label)
    {
        var name = $"sh_test_{(label.Length > 20 ? label[..20] : label).ToLowerInvariant()}_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        return For(name);
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await SharedDataSources.CloseAsync(connectionString);
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private static async Task<string> TemplateAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_template is not null) return _template;
            var name = $"sh_template_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
            await ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
            DapperSetup.Configure();
            Migrator.Run(For(name, pooling: false));
            DropAtExit(name);
            return _template = name;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> DemoTemplateAsync()
    {
        var template = await TemplateAsync();
        await DemoGate.WaitAsync();
        try
        {
            if (_demoTemplate is not null) return _demoTemplate;
            var name = $"sh_demo_template_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
            await ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
            // Without pooling: no connection may stay open on a template that is copied.
            await using (var services = new TestServices(For(name, pooling: false), TestClock.Start))
                await services.Demo().SeedAsync();
            // The demo accounts share one hash of the demo password: one of one round instead (TestPasswords), so each sign-in is free.
            await ExecuteOnAsync(name, "UPDATE users SET password_hash = @hash WHERE password_hash = (SELECT password_hash FROM users WHERE user_name = 'admin')",
                new { hash = TestPasswords.Hash(ServiceHub.Data.Admin.DemoSeeder.DemoPassword) });
            DropAtExit(name);
            return _demoTemplate = name;
        }
        finally
        {
            DemoGate.Release();
        }
    }

    private static void DropAtExit(string name) =>
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").GetAwaiter().GetResult(); } catch { /* server gone */ }
        };

    private static async Task ExecuteOnAsync(string database, string sql, object args)
    {
        await using var conn = new NpgsqlConnection(For(database, pooling: false));
        await conn.OpenAsync();
        await Dapper.SqlMapper.ExecuteAsync(conn, sql, args);
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(For(new NpgsqlConnectionStringBuilder(ServerConnectionString).Database ?? "postgres", pooling: false));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>A fresh, migrated database for one test class, with the services of ServiceHub.Data over it.</summary>
public class DatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource { get; private set; } = default!;

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await CreateAsync();
        DapperSetup.Configure();
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    protected virtual Task<string> CreateAsync() => TestServer.CreateDatabaseAsync(GetType().Name);

    public virtual async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await TestServer.DropDatabaseAsync(ConnectionString);
    }
}

/// <summary>The same with the demo company in it, as seeded at <see cref="TestClock.Start"/> (an app's demo seeding finds it there).</summary>
public sealed class DemoDatabaseFixture : DatabaseFixture
{
    protected override Task<string> CreateAsync() => TestServer.CreateDemoDatabaseAsync(nameof(DemoDatabaseFixture));
}
