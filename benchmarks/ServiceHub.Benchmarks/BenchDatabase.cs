using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Benchmarks;

/// <summary>A fresh, migrated database on the benchmark server, dropped afterwards.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    private BenchDatabase(string server, string cs)
    {
        _server = server;
        ConnectionString = cs;
        DataSource = NpgsqlDataSource.Create(cs);
    }

    /// <summary>Drops and recreates a named benchmark database (UTF-8, C.UTF-8) and applies the migrations.</summary>
    public static async Task RecreateAsync(string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var name = csb.Database ?? throw new ArgumentException("the connection string names no database");
        if (name is "postgres" or "template0" or "template1") throw new ArgumentException("refusing to drop a system database");
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            foreach (var sql in new[]
            {
                $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)",
                $"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
            })
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
            }
        }
        DapperSetup.Configure();
        Migrator.Run(connectionString);
    }

    public static async Task<BenchDatabase> CreateAsync(string server, string label)
    {
        var name = $"sh_bench_{label}_{Environment.ProcessId}";
        await ExecAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        await ExecAsync(server, $"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, CommandTimeout = 600 }.ConnectionString;
        DapperSetup.Configure();
        Migrator.Run(cs);
        return new BenchDatabase(server, cs);
    }

    public async Task ExecAsync(string sql, int timeoutSeconds = 1800)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = timeoutSeconds };
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task ExecAsync(string server, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("SERVICEHUB_BENCH_KEEP") == "1") { await DataSource.DisposeAsync(); return; }
        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database!;
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await ExecAsync(_server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }
}

public static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);
}

/// <summary>A clock that stands still, for the product code under measurement.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>
/// One statement run under <c>EXPLAIN (ANALYZE, FORMAT JSON)</c> in the caller's transaction: its execution time and the time spent in
/// one trigger (PostgreSQL times AFTER triggers, statement-level ones too), so a trigger's share is read from the same execution.
/// </summary>
public static class TriggerShare
{
    public static async Task<(double Execution, double Trigger)> MeasureAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, object args, string trigger)
    {
        var json = await Dapper.SqlMapper.QuerySingleAsync<string>(conn,
            new Dapper.CommandDefinition("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, args, tx, commandTimeout: 0));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement[0];
        var time = root.TryGetProperty("Triggers", out var triggers)
            ? triggers.EnumerateArray().Where(t => t.GetProperty("Trigger Name").GetString() == trigger).Sum(t => t.GetProperty("Time").GetDouble())
            : 0;
        return (root.GetProperty("Execution Time").GetDouble(), time);
    }
}
