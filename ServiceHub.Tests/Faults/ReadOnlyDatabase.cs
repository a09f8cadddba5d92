using Npgsql;

namespace ServiceHub.Tests.Faults;

/// <summary>A database made read-only (as an operator or a failover would) and back; the given pools drop their sessions.</summary>
public static class ReadOnlyDatabase
{
    public static async Task SetAsync(ServiceHub.Tests.Infrastructure.DatabaseFixture db, bool on, params NpgsqlDataSource[] pools)
    {
        var name = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database;
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await using var off = new NpgsqlCommand("SET default_transaction_read_only = off", conn);
            await off.ExecuteNonQueryAsync();
            await using var alter = new NpgsqlCommand($"ALTER DATABASE \"{name}\" SET default_transaction_read_only = {(on ? "on" : "off")}", conn);
            await alter.ExecuteNonQueryAsync();
        }
        foreach (var pool in pools.Append(db.DataSource)) pool.Clear();
    }
}
