using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Benchmarks;

/// <summary>Drops and recreates the benchmark database (UTF-8, C.UTF-8) and applies the migrations.</summary>
public static class BenchDatabase
{
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
}

/// <summary>A clock that stands still, for the product code under measurement.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
