using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Operations;
using ServiceHub.Jobs.Operations;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>The nightly backup and the restore drill, against the real PostgreSQL of the test run and the real pg_dump/pg_restore.</summary>
public sealed class BackupRestoreTests : IAsyncLifetime
{
    private string _cs = "";
    private readonly string _dir = Directory.CreateTempSubdirectory("servicehub-backup-test-").FullName;
    private readonly List<string> _drop = [];

    public async Task InitializeAsync()
    {
        _cs = await TestServer.CreateDatabaseAsync("backup");
        _drop.Add(_cs);
    }

    public async Task DisposeAsync()
    {
        foreach (var cs in _drop) await TestServer.DropDatabaseAsync(cs);
        Directory.Delete(_dir, recursive: true);
    }

    private static BackupService Backups(TestServices s, string? directory, string? pgBinDir = null) =>
        new(s.Get<NpgsqlDataSource>(), Options.Create(new BackupOptions { Directory = directory, PgBinDir = pgBinDir }), s.Clock, NullLogger<BackupService>.Instance);

    private string On(string database) => new NpgsqlConnectionStringBuilder(_cs) { Database = database }.ConnectionString;

    private string Track(string database)
    {
        var cs = On(database);
        _drop.Add(cs);
        return cs;
    }

    /// <summary>The demo company, and a small world of registered and dispatched complaints with their events.</summary>
    private static async Task MakeDataAsync(TestServices s)
    {
        await s.Demo().SeedAsync();
        var w = await ComplaintWorld.CreateAsync(s);
        for (var i = 0; i < 12; i++) await w.RegisterComplaintAsync(dispatch: i % 3 != 0, content: $"第{i}号投诉：楼道灯不亮，电梯异响 'quote' \"double\" \\ backslash\nsecond line");
    }

    private static async Task<Dictionary<string, long>> RowCountsAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        var tables = await conn.QueryAsync<string>("""
            SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """);
        var counts = new Dictionary<string, long>();
        foreach (var t in tables) counts[t] = await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM {t}");
        return counts;
    }

    private static async Task<string> ComplaintsChecksumAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        return await conn.ExecuteScalarAsync<string>("SELECT md5(coalesce(string_agg(c::text, E'\\n' ORDER BY c.id), '')) FROM complaints c") ?? "";
    }

    [Fact]
    public async Task A_nightly_backup_restored_into_another_database_has_every_row_and_the_same_complaints()
    {
        await using (var s = new TestServices(_cs))
        {
            await MakeDataAsync(s);
            var before = await RowCountsAsync(_cs);
            var checksum = await ComplaintsChecksumAsync(_cs);
            Assert.True(before["public.complaints"] >= 12);

            await new BackupJob(Backups(s, _dir)).RunAsync(CancellationToken.None);

            var status = await Backups(s, _dir).StatusAsync(Build.Actor(1, Roles.Admin));
            var last = status.Last!;
            Assert.True(last.Succeeded, last.Message);
            Assert.Equal(BackupTriggers.Nightly, last.Trigger);
            Assert.False(status.Overdue);
            var file = Path.Combine(_dir, last.FileName!);
            Assert.Equal(new FileInfo(file).Length, last.SizeBytes);
            Assert.Empty(Directory.GetFiles(_dir, "*.partial"));

            var target = $"sh_test_restored_{Guid.NewGuid():N}";
            var restoredCs = Track(target);
            var report = await new RestoreService(_cs, null, s.Clock).RestoreAsync(file, switchWhenChecked: false, targetDatabase: target);
            Assert.True(report.Passed, string.Join("; ", report.Problems));
            Assert.Null(report.Switch);
            Assert.Equal(before["public.complaints"], report.DumpRows["public.complaints"]);

            var after = await RowCountsAsync(restoredCs);
            Assert.Equal(before.OrderBy(kv => kv.Key), after.OrderBy(kv => kv.Key));
            Assert.Equal(checksum, await ComplaintsChecksumAsync(restoredCs));
        }
    }

    [Fact]
    public async Task A_restore_switches_only_when_the_app_is_stopped_and_keeps_the_database_it_replaced()
    {
        var database = new NpgsqlConnectionStringBuilder(_cs).Database!;
        string file;
        await using (var s = new TestServices(_cs))
        {
            await MakeDataAsync(s);
            var r = await Backups(s, _dir).RunAsync(ServiceHub.Data.Infrastructure.Actor.System, BackupTriggers.Manual);
            file = Path.Combine(_dir, r!.FileName!);
            await Build.UserAsync(s, "after.backup", [Roles.Agent]);
        }

        // The app is still connected: restored and checked, but not switched.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero));
        var restore = new RestoreService(_cs, null, clock);
        RestoreReport report;
        await using (var app = new NpgsqlConnection(_cs))
        {
            await app.OpenAsync();
            report = await restore.RestoreAsync(file, switchWhenChecked: true);
        }
        Track(report.Database);
        Assert.True(report.Passed, string.Join("; ", report.Problems));
        Assert.False(report.Switch!.Switched);
        Assert.Contains("session(s) are connected", report.Switch.Reason);
        Assert.Equal(1, await UsersNamedAsync(_cs, "after.backup"));

        // Stopped: the switch renames, the connection string stays as it is.
        NpgsqlConnection.ClearAllPools();
        clock.Advance(TimeSpan.FromMinutes(5));
        var (switched, problems) = await restore.SwitchAsync(report.Database);
        Assert.Empty(problems);
        Assert.True(switched.Switched);
        Track(switched.ReplacedDatabase!);
        Assert.Equal(RestoreService.ReplacedName(database, clock.GetUtcNow()), switched.ReplacedDatabase);
        Assert.Equal(0, await UsersNamedAsync(_cs, "after.backup"));
        Assert.Equal(1, await UsersNamedAsync(On(switched.ReplacedDatabase!), "after.backup"));
    }

    private static async Task<int> UsersNamedAsync(string cs, string name)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
        return await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM users WHERE user_name = @name", new { name });
    }

    [Fact]
    public async Task A_database_whose_check_fails_is_not_switched_to()
    {
        var broken = await EmptyDatabase.CreateAsync("broken");
        _drop.Add(broken);
        await using (var conn = new NpgsqlConnection(broken))
            await conn.ExecuteAsync("CREATE TABLE schema_versions (schemaversionsid serial PRIMARY KEY, scriptname text NOT NULL, applied timestamp NOT NULL)");
        NpgsqlConnection.ClearAllPools();

        var (result, problems) = await new RestoreService(_cs, null, TimeProvider.System).SwitchAsync(new NpgsqlConnectionStringBuilder(broken).Database!);
        Assert.False(result.Switched);
        Assert.Contains("the migrations journal is empty", problems);
        Assert.Contains("table public.users is missing", problems);
        await using var app = new NpgsqlConnection(_cs);
        Assert.True(await app.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_versions") > 0);
    }

    [Fact]
    public async Task A_backup_that_cannot_run_is_recorded_as_failed_with_its_reason_and_the_job_fails()
    {
        await using var s = new TestServices(_cs);
        var noFolder = await Backups(s, null).RunAsync(ServiceHub.Data.Infrastructure.Actor.System, BackupTriggers.Manual);
        Assert.False(noFolder!.Succeeded);
        Assert.Contains("Backups__Directory", noFolder.Message);

        var noTools = Backups(s, _dir, pgBinDir: "/nonexistent/bin");
        var ex = await Assert.ThrowsAsync<BackupService.BackupFailedException>(() => new BackupJob(noTools).RunAsync(CancellationToken.None));
        Assert.Contains("pg_dump not found", ex.Message);

        var status = await noTools.StatusAsync(Build.Actor(1, Roles.Admin));
        Assert.False(status.Last!.Succeeded);
        Assert.Null(status.LastGood);
        Assert.True(status.Overdue);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task A_good_backup_deletes_this_databases_dumps_older_than_the_kept_days_and_months_and_nothing_else()
    {
        await using var s = new TestServices(_cs);
        var database = new NpgsqlConnectionStringBuilder(_cs).Database!;
        string Dump(string db, int month, int day) =>
            BackupFile.NameFor(db, ServiceHub.Data.Infrastructure.BusinessTime.FromLocal(new DateTime(2026, month, day, 2, 0, 0)));
        // Nightly dumps from 1 October to yesterday (today is 26 November), another database's, and a file of someone else.
        var nightly = Enumerable.Range(0, 56).Select(d => new DateOnly(2026, 10, 1).AddDays(d)).Select(d => Dump(database, d.Month, d.Day)).ToList();
        string[] foreign = [Dump("otherdb", 10, 15), "notes.txt"];
        foreach (var f in nightly.Concat(foreign)) await File.WriteAllTextAsync(Path.Combine(_dir, f), "old");

        var r = await Backups(s, _dir).RunAsync(ServiceHub.Data.Infrastructure.Actor.System, BackupTriggers.Nightly);

        Assert.True(r!.Succeeded, r.Message);
        var left = Directory.GetFiles(_dir).Select(Path.GetFileName).ToHashSet();
        Assert.Contains(r.FileName, left);
        Assert.Contains(Dump(database, 11, 25), left);   // within the last seven days
        Assert.Contains(Dump(database, 11, 20), left);
        Assert.Contains(Dump(database, 10, 31), left);   // the newest of October
        Assert.DoesNotContain(Dump(database, 10, 15), left);
        Assert.DoesNotContain(Dump(database, 11, 19), left);
        Assert.All(foreign, f => Assert.Contains(f, left));
        Assert.Equal(6 + 1 + foreign.Length + 1, left.Count); // 20–25 November, 31 October, the foreign files and the new one
        Assert.Contains("removed", r.Message);
    }

    [Fact]
    public async Task A_dump_that_pg_restore_cannot_list_is_recorded_as_failed_and_not_kept()
    {
        // The real pg_dump beside a pg_restore that finds the file unreadable (as a truncated or corrupt dump is).
        var bin = Directory.CreateTempSubdirectory("servicehub-pgbin-").FullName;
        try
        {
            File.CreateSymbolicLink(Path.Combine(bin, "pg_dump"), ServiceHub.Data.Operations.PgTools.Find("pg_dump"));
            var restore = Path.Combine(bin, "pg_restore");
            await File.WriteAllTextAsync(restore, "#!/bin/sh\necho 'pg_restore: error: could not read input file: end of file' >&2\nexit 1\n");
            if (OperatingSystem.IsLinux()) File.SetUnixFileMode(restore, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

            await using var s = new TestServices(_cs);
            var r = await Backups(s, _dir, pgBinDir: bin).RunAsync(ServiceHub.Data.Infrastructure.Actor.System, BackupTriggers.Nightly);

            Assert.False(r!.Succeeded);
            Assert.Contains("could not be read back", r.Message);
            Assert.Contains("end of file", r.Message);
            Assert.Empty(Directory.GetFiles(_dir));
            Assert.Null((await Backups(s, _dir).StatusAsync(Build.Actor(1, Roles.Admin))).LastGood);
        }
        finally { Directory.Delete(bin, recursive: true); }
    }

    [Fact]
    public async Task Backups_and_their_status_are_for_admins_only()
    {
        await using var s = new TestServices(_cs);
        await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ForbiddenException>(() => Backups(s, _dir).RunAsync(Build.Actor(1, Roles.Hr), BackupTriggers.Manual));
        Assert.Empty(Directory.GetFiles(_dir));
        await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ForbiddenException>(() => Backups(s, _dir).StatusAsync(Build.Actor(1, Roles.Agent)));
        await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ForbiddenException>(() => Backups(s, _dir).RecentAsync(Build.Actor(1, Roles.CsSupervisor)));
    }
}

/// <summary>The rules of backups: which dumps are kept, when the admin is warned, whether a restored journal is whole.</summary>
public sealed class BackupRuleTests
{
    [Fact]
    public void The_last_seven_days_and_the_newest_of_each_of_twelve_months_are_kept()
    {
        var today = new DateOnly(2026, 11, 26);
        var files = Enumerable.Range(0, 500)
            .Select(d => today.AddDays(-d).ToDateTime(new TimeOnly(2, 0)))
            .Select(at => BackupFile.Parse(BackupFile.NameFor("servicehub", ServiceHub.Data.Infrastructure.BusinessTime.FromLocal(at)))!)
            .ToList();
        var deleted = BackupRetention.ToDelete(files, today, keepDays: 7, keepMonths: 12).ToHashSet();
        var kept = files.Where(f => !deleted.Contains(f)).Select(f => DateOnly.FromDateTime(f.TakenAtLocal)).Order().ToList();

        var lastWeek = Enumerable.Range(0, 7).Select(d => today.AddDays(-d));
        var monthEnds = Enumerable.Range(1, 11).Select(m => new DateOnly(2026, 11, 1).AddMonths(-m).AddMonths(1).AddDays(-1));
        Assert.Equal(lastWeek.Concat(monthEnds).Order(), kept);
    }

    [Fact]
    public void Dumps_of_other_databases_and_other_files_are_not_ours()
    {
        Assert.Null(BackupFile.Parse("notes.txt"));
        Assert.Null(BackupFile.Parse("servicehub-x-20261126-0200.dump"));
        var f = BackupFile.Parse("servicehub-servicehub_prod-20261126-020000.dump")!;
        Assert.Equal("servicehub_prod", f.Database);
        Assert.Equal(new DateTime(2026, 11, 26, 2, 0, 0), f.TakenAtLocal);
    }

    [Theory]
    [InlineData(35, false)]
    [InlineData(37, true)]
    public void The_admin_is_warned_when_the_last_good_backup_is_older_than_36_hours(int hoursAgo, bool overdue)
    {
        var now = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(overdue, BackupHealth.IsOverdue(now.AddHours(-hoursAgo), now));
        Assert.True(BackupHealth.IsOverdue(null, now));
    }

    [Fact]
    public void A_restored_journal_is_whole_unless_empty_unknown_or_edited()
    {
        (string, string)[] scripts = [("0001_a.sql", "a"), ("0002_b.sql", "b"), ("0003_c.sql", "c")];
        var hashes = scripts.ToDictionary(s => s.Item1, s => ServiceHub.Data.Infrastructure.Migrator.Hash(s.Item2));

        Assert.Empty(JournalCheck.Problems(scripts, new HashSet<string> { "0001_a.sql", "0002_b.sql", "0003_c.sql" }, hashes, out var none));
        Assert.Empty(none);
        Assert.Empty(JournalCheck.Problems(scripts, new HashSet<string> { "0001_a.sql" }, hashes, out var pending));
        Assert.Equal(["0002_b.sql", "0003_c.sql"], pending);

        Assert.Contains("the migrations journal is empty", JournalCheck.Problems(scripts, new HashSet<string>(), hashes, out _));
        Assert.Contains(JournalCheck.Problems(scripts, new HashSet<string> { "0001_a.sql", "0009_new.sql" }, hashes, out _), p => p.Contains("0009_new.sql is unknown"));
        var edited = new Dictionary<string, string>(hashes) { ["0001_a.sql"] = "other" };
        Assert.Contains(JournalCheck.Problems(scripts, new HashSet<string> { "0001_a.sql" }, edited, out _), p => p.Contains("0001_a.sql was applied in a different version"));
    }
}
