using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Operations;

/// <summary>Settings <c>Backups:*</c>: where the nightly dumps go and how many are kept.</summary>
public sealed class BackupOptions
{
    /// <summary>The folder of the dumps (created if missing). Required in Production.</summary>
    public string? Directory { get; set; }

    /// <summary>Every backup of the last this many days is kept.</summary>
    public int KeepDays { get; set; } = 7;

    /// <summary>Besides, the newest backup of each of the last this many months (the current one included).</summary>
    public int KeepMonths { get; set; } = 12;

    /// <summary>The folder of pg_dump and pg_restore, when not the newest of /usr/lib/postgresql/N/bin or PATH.</summary>
    public string? PgBinDir { get; set; }
}

public static class BackupTriggers
{
    public const string Nightly = "nightly";
    public const string Manual = "manual";
    public const string Command = "command";
}

public sealed record BackupRecord(long Id, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Trigger, string State, string? FileName, long? SizeBytes, string? Message)
{
    public bool Succeeded => State == "succeeded";
}

/// <summary>What the admin sees: the last attempt, the last good one, and whether that is too old.</summary>
public sealed record BackupStatus(BackupRecord? Last, BackupRecord? LastGood, bool Overdue, string? Directory);

/// <summary>A dump file of this installation, named <c>servicehub-&lt;database&gt;-&lt;yyyyMMdd-HHmmss&gt;.dump</c> (Beijing time).</summary>
public sealed partial record BackupFile(string Name, string Database, DateTime TakenAtLocal)
{
    public static string NameFor(string database, DateTimeOffset takenAt) =>
        $"servicehub-{database}-{BusinessTime.ToLocal(takenAt):yyyyMMdd-HHmmss}.dump";

    public static BackupFile? Parse(string fileName)
    {
        var m = Pattern().Match(fileName);
        return m.Success && DateTime.TryParseExact(m.Groups["at"].Value, "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? new BackupFile(fileName, m.Groups["db"].Value, at)
            : null;
    }

    [GeneratedRegex(@"^servicehub-(?<db>.+)-(?<at>\d{8}-\d{6})\.dump$")]
    private static partial Regex Pattern();
}

/// <summary>Which dumps are kept: all of the last <c>keepDays</c> days, and the newest of each of the last <c>keepMonths</c> months.</summary>
public static class BackupRetention
{
    public static IReadOnlyList<BackupFile> ToDelete(IEnumerable<BackupFile> files, DateOnly today, int keepDays, int keepMonths)
    {
        var all = files.ToList();
        var firstKeptDay = today.AddDays(-(Math.Max(1, keepDays) - 1));
        var firstKeptMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(-(Math.Max(1, keepMonths) - 1));
        var monthly = all
            .Where(f => DateOnly.FromDateTime(f.TakenAtLocal) >= firstKeptMonth)
            .GroupBy(f => (f.TakenAtLocal.Year, f.TakenAtLocal.Month))
            .Select(g => g.MaxBy(f => f.TakenAtLocal)!)
            .ToHashSet();
        return all.Where(f => DateOnly.FromDateTime(f.TakenAtLocal) < firstKeptDay && !monthly.Contains(f)).OrderBy(f => f.TakenAtLocal).ToList();
    }
}

/// <summary>The admin is warned when the last good backup is older than <see cref="MaxAge"/> (or there is none).</summary>
public static class BackupHealth
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(36);

    public static bool IsOverdue(DateTimeOffset? lastGoodAt, DateTimeOffset now) => lastGoodAt is not { } at || now - at > MaxAge;
}

/// <summary>
/// One backup: <c>pg_dump -Fc</c> of the app's database into <see cref="BackupOptions.Directory"/> (written as <c>.partial</c>,
/// renamed once <c>pg_restore --list</c> has read it back), recorded in <c>backups</c> (succeeded or failed, with the reason),
/// then old dumps pruned by <see cref="BackupRetention"/>. An advisory lock keeps two instances (or the job and the cron
/// command) from dumping at once. The only writer of <c>backups</c>.
/// </summary>
public sealed class BackupService(NpgsqlDataSource db, IOptions<BackupOptions> options, TimeProvider clock, ILogger<BackupService> log)
{
    /// <summary>"SHbackup" in ASCII.</summary>
    public const long LockKey = 0x53486261636B7570;

    /// <summary>Hangfire's own schema (job history, queue, locks) is left out: the app recreates it and registers its jobs at start.</summary>
    public const string ExcludedSchema = "hangfire";

    public sealed class BackupFailedException(string message) : Exception(message);

    /// <summary>Takes a backup now (an admin, or <see cref="Actor.System"/> for the job and the command); returns its record, or null when another backup of this database is under way.</summary>
    public async Task<BackupRecord?> RunAsync(Actor actor, string trigger, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var lockConn = await db.OpenConnectionAsync(ct);
        if (!await lockConn.ExecuteScalarAsync<bool>(new CommandDefinition($"SELECT pg_try_advisory_lock({LockKey})", cancellationToken: ct)))
        {
            log.LogInformation("Backup skipped: another backup of this database is under way");
            return null;
        }
        try
        {
            var started = clock.GetUtcNow();
            string? file = null;
            long? size = null;
            string state, message;
            try
            {
                (file, size, var pruned) = await DumpAsync(started, ct);
                state = "succeeded";
                message = pruned.Count == 0 ? "" : $"removed {pruned.Count} old backup(s): {string.Join(", ", pruned)}";
                log.LogInformation("Backup {File} written and verified ({Size:N0} bytes)", file, size);
            }
            catch (Exception ex) when (ex is BackupFailedException or PgTools.ToolFailedException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                state = "failed";
                message = ex.Message.Length > 4000 ? ex.Message[..4000] : ex.Message;
                log.LogError("Backup failed: {Message}", message);
            }
            return await lockConn.QuerySingleAsync<BackupRecord>(new CommandDefinition("""
                INSERT INTO backups (started_at, finished_at, trigger, state, file_name, size_bytes, message)
                VALUES (@started, @finished, @trigger, @state, @file, @size, @message)
                RETURNING id, started_at, finished_at, trigger, state, file_name, size_bytes, message
                """, new { started, finished = clock.GetUtcNow(), trigger, state, file, size, message }, cancellationToken: CancellationToken.None));
        }
        finally
        {
            await lockConn.ExecuteAsync(new CommandDefinition($"SELECT pg_advisory_unlock({LockKey})", cancellationToken: CancellationToken.None));
        }
    }

    private async Task<(string File, long Size, IReadOnlyList<string> Pruned)> DumpAsync(DateTimeOffset started, CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.Directory)) throw new BackupFailedException("No backup folder is configured (Backups:Directory, environment Backups__Directory).");
        Directory.CreateDirectory(o.Directory);
        var database = new NpgsqlConnectionStringBuilder(db.ConnectionString).Database ?? "postgres";
        var name = BackupFile.NameFor(database, started);
        var path = Path.Combine(o.Directory, name);
        var partial = path + ".partial";
        var (conninfo, env) = PgTools.Libpq(db.ConnectionString);
        try
        {
            var (dumpExit, dumpErr) = await PgTools.RunAsync(PgTools.Find("pg_dump", o.PgBinDir),
                ["--format=custom", "--exclude-schema=" + ExcludedSchema, "--file=" + partial, "--dbname=" + conninfo], env, ct: ct);
            if (dumpExit != 0) throw new BackupFailedException($"pg_dump failed (exit {dumpExit}): {dumpErr}");

            var tableData = 0;
            var (listExit, listErr) = await PgTools.RunAsync(PgTools.Find("pg_restore", o.PgBinDir), ["--list", partial], env, async r =>
            {
                while (await r.ReadLineAsync(ct) is { } line)
                    if (line.Contains(" TABLE DATA ", StringComparison.Ordinal)) tableData++;
            }, ct);
            if (listExit != 0 || tableData == 0)
                throw new BackupFailedException($"The dump could not be read back (pg_restore --list exit {listExit}, {tableData} tables): {listErr}");

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
        var pruned = Prune(o, database);
        return (name, new FileInfo(path).Length, pruned);
    }

    private List<string> Prune(BackupOptions o, string database)
    {
        var mine = Directory.EnumerateFiles(o.Directory!, "servicehub-*.dump")
            .Select(p => BackupFile.Parse(Path.GetFileName(p)))
            .Where(f => f is not null && f.Database == database)
            .Select(f => f!);
        var delete = BackupRetention.ToDelete(mine, BusinessTime.Today(clock), o.KeepDays, o.KeepMonths);
        foreach (var f in delete) File.Delete(Path.Combine(o.Directory!, f.Name));
        return delete.Select(f => f.Name).ToList();
    }

    public async Task<BackupStatus> StatusAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        var last = await conn.QuerySingleOrDefaultAsync<BackupRecord>(new CommandDefinition(
            Select + " ORDER BY finished_at DESC, id DESC LIMIT 1", cancellationToken: ct));
        var good = last is { Succeeded: true } ? last : await conn.QuerySingleOrDefaultAsync<BackupRecord>(new CommandDefinition(
            Select + " WHERE state = 'succeeded' ORDER BY finished_at DESC, id DESC LIMIT 1", cancellationToken: ct));
        return new BackupStatus(last, good, BackupHealth.IsOverdue(good?.FinishedAt, clock.GetUtcNow()), options.Value.Directory);
    }

    public async Task<IReadOnlyList<BackupRecord>> RecentAsync(Actor actor, int take = 30, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<BackupRecord>(new CommandDefinition(
            Select + " ORDER BY finished_at DESC, id DESC LIMIT @take", new { take = Search.Take(take) }, cancellationToken: ct))).AsList();
    }

    private const string Select = "SELECT id, started_at, finished_at, trigger, state, file_name, size_bytes, message FROM backups";
}
