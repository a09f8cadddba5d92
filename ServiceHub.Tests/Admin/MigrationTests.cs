using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

public sealed class MigrationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public void Running_the_migrations_again_applies_nothing()
    {
        Assert.Empty(Migrator.Run(db.ConnectionString));
    }

    [Fact]
    public async Task Every_script_is_journaled_with_its_hash()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        var journaled = (await conn.QueryAsync<string>("SELECT scriptname FROM schema_versions")).ToHashSet();
        foreach (var (name, _) in Migrator.Scripts()) Assert.Contains(name, journaled);
        Assert.Equal(Migrator.Scripts().Count, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_script_hashes"));
    }

    [Fact]
    public async Task A_changed_applied_script_stops_start_up_with_a_clear_message()
    {
        var cs = await TestServer.CreateDatabaseAsync("edited");
        try
        {
            var first = Migrator.Scripts()[0].Name;
            await using (var conn = new NpgsqlConnection(cs))
                await conn.ExecuteAsync("UPDATE schema_script_hashes SET sha256 = 'edited' WHERE script_name = @first", new { first });
            var ex = Assert.Throws<Migrator.MigrationException>(() => Migrator.Run(cs));
            Assert.Contains(first, ex.Message);
            Assert.Contains("changed after it was applied", ex.Message);
        }
        finally
        {
            await TestServer.DropDatabaseAsync(cs);
        }
    }

    [Fact]
    public async Task The_audit_log_refuses_updates_and_deletes()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.ExecuteAsync("INSERT INTO audit_log (at, user_name, action) VALUES (now(), 'x', 'sign-in')");
        await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("UPDATE audit_log SET user_name = 'y'"));
        await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("DELETE FROM audit_log"));
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE user_name = 'x'"));
    }

    [Fact]
    public async Task Chinese_text_yields_trigrams_in_the_test_database()
    {
        await DatabaseStartup.CheckChineseTrigramsAsync(db.DataSource);
    }
}
