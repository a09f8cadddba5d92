using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Operations;

namespace ServiceHub.Benchmarks;

/// <summary>
/// Issue #16: how long a backup and a restore take per million complaints. Seeds the annual-report data (complaints with their
/// contacts and events over two years, return visits), then times the product's own code: <see cref="BackupService.RunAsync"/>
/// (pg_dump -Fc, pg_restore --list, record) and <see cref="RestoreService.RestoreAsync"/> (row counts read from the dump, a new
/// database, pg_restore --jobs, the check), without switching.
/// </summary>
public static class BackupRestoreBenchmark
{
    public static async Task<int> RunAsync(string cs, string[] args)
    {
        var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var visits = total * 3 / 10;
        var sw = Stopwatch.StartNew();
        await BenchDatabase.RecreateAsync(cs);
        await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cs) { CommandTimeout = 0 }.ConnectionString);
        // The annual-report seed puts 10/13 of the complaints in the report year and 3/13 in the year before.
        await AnnualReportBenchmark.SeedAsync(db, total * 10 / 13, visits * 10 / 12, total - total * 10 / 13, visits - visits * 10 / 12);
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 0);
            var (complaints, size) = await conn.QuerySingleAsync<(long, long)>("SELECT (SELECT count(*) FROM complaints), pg_database_size(current_database())");
            Console.WriteLine($"seeded {complaints:N0} complaints ({size / 1048576.0:N0} MB database) in {sw.Elapsed.TotalSeconds:F1} s");
        }

        var dir = Directory.CreateTempSubdirectory("servicehub-bench-backup-").FullName;
        try
        {
            sw.Restart();
            var backup = await new BackupService(db, Options.Create(new BackupOptions { Directory = dir }), TimeProvider.System, NullLogger<BackupService>.Instance)
                .RunAsync(ServiceHub.Data.Infrastructure.Actor.System, BackupTriggers.Command) ?? throw new InvalidOperationException("another backup is running");
            var backupTime = sw.Elapsed;
            if (!backup.Succeeded) throw new InvalidOperationException(backup.Message);
            Console.WriteLine($"backup {backup.FileName}: {backup.SizeBytes / 1048576.0:N0} MB in {backupTime.TotalSeconds:F1} s (pg_dump -Fc + pg_restore --list)");

            sw.Restart();
            var report = await new RestoreService(cs, null, TimeProvider.System, line => Console.WriteLine($"  {line}"))
                .RestoreAsync(Path.Combine(dir, backup.FileName!), switchWhenChecked: false);
            var restoreTotal = sw.Elapsed;
            Console.WriteLine($"restore into {report.Database}: read {report.ReadTime.TotalSeconds:F1} s, pg_restore {report.RestoreTime.TotalSeconds:F1} s, " +
                $"check {report.CheckTime.TotalSeconds:F1} s, total {restoreTotal.TotalSeconds:F1} s; check {(report.Passed ? "passed" : "FAILED: " + string.Join("; ", report.Problems))}");
            Console.WriteLine($"| {report.DumpRows["public.complaints"]:N0} | {report.DumpRows.Values.Sum():N0} | {backup.SizeBytes / 1048576.0:N0} MB | {backupTime.TotalSeconds:F0} s | " +
                $"{report.ReadTime.TotalSeconds:F0} s | {report.RestoreTime.TotalSeconds:F0} s | {report.CheckTime.TotalSeconds:F0} s | {(backupTime + restoreTotal).TotalSeconds:F0} s |");

            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.OpenAsync();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS \"{report.Database}\" WITH (FORCE)");
            return report.Passed ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
