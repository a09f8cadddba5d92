using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>Two instances started at the same moment against a database with pending migrations: one migrates, the other waits.</summary>
public sealed class MigrationConcurrencyTests
{
    [Fact]
    public async Task Two_migrators_started_together_on_a_fresh_database_both_succeed_and_apply_each_script_once()
    {
        var cs = await EmptyDatabase.CreateAsync("concurrent");
        try
        {
            using var start = new Barrier(2);
            IReadOnlyList<string> Migrate() { start.SignalAndWait(); return Migrator.Run(cs); }
            var results = await Task.WhenAll(Task.Run(Migrate), Task.Run(Migrate));

            var all = Migrator.Scripts().Select(s => s.Name).ToList();
            Assert.Equal(all, results.SelectMany(r => r).Order(StringComparer.Ordinal));
            Assert.Contains(results, r => r.Count == 0);
            await using var conn = new NpgsqlConnection(cs);
            var journal = (await conn.QueryAsync<string>("SELECT scriptname FROM schema_versions")).ToList();
            Assert.Equal(all.Count, journal.Count);
            Assert.Equal(all, journal.Order(StringComparer.Ordinal));
        }
        finally
        {
            await TestServer.DropDatabaseAsync(cs);
        }
    }

    /// <summary>
    /// The real app, twice, as two servers start it. The test holds the migration lock while they start (as a third instance in the
    /// middle of migrating would), so both are certainly at the lock at the same moment; released, they race for it.
    /// </summary>
    [Fact]
    public async Task Two_app_instances_started_together_on_a_fresh_database_both_start_and_exactly_one_applies_the_migrations()
    {
        var cs = await EmptyDatabase.CreateAsync("twoapps");
        try
        {
            await using var gate = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
            await gate.OpenAsync();
            await gate.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = Migrator.LockKey });

            var urls = new[] { $"http://127.0.0.1:{Loopback.FreePort()}", $"http://127.0.0.1:{Loopback.FreePort()}" };
            var apps = urls.Select((url, i) => ChildProcess.StartApp(cs, $"sh-migrate-{i}", new Dictionary<string, string> { ["ASPNETCORE_URLS"] = url })).ToList();
            try
            {
                const string waiting = "stderr: ServiceHub: Another instance is applying the migrations";
                await Task.WhenAll(apps.Select(a => a.WaitForAsync(waiting, TimeSpan.FromMinutes(2))));
                await gate.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = Migrator.LockKey });

                await Task.WhenAll(apps.Select((a, i) => a.WaitUntilHealthyAsync(urls[i], TimeSpan.FromMinutes(3))));
                var all = Migrator.Scripts().Select(s => s.Name).ToList();
                var journal = (await gate.QueryAsync<string>("SELECT scriptname FROM schema_versions")).ToList();
                Assert.Equal(all, journal.Order(StringComparer.Ordinal));

                var appliers = apps.Where(a => a.Output.Contains($"stderr: ServiceHub: applied {all.Count} migrations ({all[0]} to {all[^1]}).", StringComparison.Ordinal)).ToList();
                var waiters = apps.Where(a => a.Output.Contains("stderr: ServiceHub: the database schema is up to date; no migration applied.", StringComparison.Ordinal)).ToList();
                Assert.True(appliers.Count == 1 && waiters.Count == 1 && appliers[0] != waiters[0], string.Join("\n---\n", apps.Select(a => a.Output)));
                Assert.All(apps, a => Assert.False(a.HasExited, a.Output));
            }
            finally
            {
                foreach (var app in apps) await app.DisposeAsync();
            }
        }
        finally
        {
            await TestServer.DropDatabaseAsync(cs);
        }
    }

    [Fact]
    public async Task A_migrator_waits_while_another_holds_the_migration_lock_and_then_finds_nothing_to_do()
    {
        var cs = await EmptyDatabase.CreateAsync("waiting");
        try
        {
            // Another instance in the middle of migrating: it holds the lock.
            await using var other = new NpgsqlConnection(cs);
            await other.OpenAsync();
            await other.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = Migrator.LockKey });

            var waiting = new TaskCompletionSource();
            var run = Task.Run(() => Migrator.Run(cs, waiting: _ => waiting.TrySetResult()));
            await waiting.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(run.IsCompleted);
            Assert.Null(await other.ExecuteScalarAsync<string?>("SELECT to_regclass('public.schema_versions')::text"));

            // The other instance is done: the waiting one goes on and migrates (here it finds everything pending).
            await other.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = Migrator.LockKey });
            Assert.Equal(Migrator.Scripts().Count, (await run.WaitAsync(TimeSpan.FromSeconds(120))).Count);
            Assert.Empty(Migrator.Run(cs));
        }
        finally
        {
            await TestServer.DropDatabaseAsync(cs);
        }
    }
}

/// <summary>A database with nothing in it (not the migrated template of <see cref="TestServer"/>), dropped by the test.</summary>
public static class EmptyDatabase
{
    public static async Task<string> CreateAsync(string label)
    {
        var name = $"sh_test_{label}_{Guid.NewGuid():N}";
        var server = new NpgsqlConnectionStringBuilder(TestServer.ServerConnectionString) { Pooling = false };
        await using (var conn = new NpgsqlConnection(server.ConnectionString))
        {
            await conn.OpenAsync();
            await conn.ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'");
        }
        return new NpgsqlConnectionStringBuilder(TestServer.ServerConnectionString) { Database = name }.ConnectionString;
    }
}
