using System.Diagnostics;
using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Operations;

/// <summary>The outcome of a restore: the new database, what the check found, and whether the app's database is now that one.</summary>
public sealed record RestoreReport(
    string Database, IReadOnlyDictionary<string, long> DumpRows, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes,
    TimeSpan ReadTime, TimeSpan RestoreTime, TimeSpan CheckTime, SwitchResult? Switch)
{
    public bool Passed => Problems.Count == 0;
}

/// <summary>Whether the app's database name now holds the restored database; the one it replaced is kept under <see cref="ReplacedDatabase"/>.</summary>
public sealed record SwitchResult(bool Switched, string? ReplacedDatabase, string? Reason);

/// <summary>
/// Restores a <c>pg_dump -Fc</c> backup into a NEW database next to the app's (never over it), checks it, and only then
/// switches: the app's database is renamed <c>&lt;name&gt;_replaced_&lt;time&gt;</c> (kept, never dropped) and the restored one
/// takes the app's name, so the connection string stays as it is. The check: every table holds as many rows as the dump
/// has for it (so no table the dump had rows for is empty, the journal included), and the migrations journal is present and
/// complete (<see cref="JournalCheck"/>). Renaming needs the app stopped: with sessions still on the app's
/// database nothing is switched and the report says how to switch later (<see cref="SwitchAsync"/>).
/// </summary>
public sealed class RestoreService(string connectionString, string? pgBinDir, TimeProvider clock, Action<string>? progress = null)
{
    public sealed class RestoreFailedException(string message) : Exception(message);

    private string CurrentDatabase => new NpgsqlConnectionStringBuilder(connectionString).Database
        ?? throw new RestoreFailedException("The connection string names no database.");

    /// <summary>Tables that are never empty in a database ServiceHub has run on (its journal, at least one administrator).</summary>
    public static readonly string[] MainTables = ["public.users", "public.schema_versions"];

    public async Task<RestoreReport> RestoreAsync(string file, bool switchWhenChecked, string? targetDatabase = null, CancellationToken ct = default)
    {
        if (!File.Exists(file)) throw new RestoreFailedException($"No such backup file: {file}");
        var target = targetDatabase ?? RestoredName(CurrentDatabase, clock.GetUtcNow());
        var readWatch = Stopwatch.StartNew();
        progress?.Invoke($"Reading {Path.GetFileName(file)} (row counts of every table in the dump)");
        var dumpRows = await CountDumpRowsAsync(file, ct);
        readWatch.Stop();

        var restoreWatch = Stopwatch.StartNew();

        progress?.Invoke($"Creating database {target}");
        await CreateDatabaseAsync(target, ct);
        progress?.Invoke($"Restoring into {target}");
        var (conninfo, env) = PgTools.Libpq(connectionString, target);
        var (exit, err) = await PgTools.RunAsync(PgTools.Find("pg_restore", pgBinDir),
            ["--no-owner", "--no-privileges", "--exit-on-error", $"--jobs={Math.Clamp(Environment.ProcessorCount, 1, 4)}", "--dbname=" + conninfo, file], env, ct: ct);
        restoreWatch.Stop();
        var checkWatch = Stopwatch.StartNew();
        var problems = new List<string>();
        var notes = new List<string>();
        if (exit != 0)
            problems.Add($"pg_restore failed (exit {exit}): {err}");
        else
        {
            progress?.Invoke($"Checking {target}");
            await CheckAsync(target, dumpRows, problems, notes, ct);
        }
        checkWatch.Stop();

        SwitchResult? switched = null;
        if (problems.Count == 0 && switchWhenChecked) switched = await SwitchCheckedAsync(target, ct);
        return new RestoreReport(target, dumpRows, problems, notes, readWatch.Elapsed, restoreWatch.Elapsed, checkWatch.Elapsed, switched);
    }

    /// <summary>
    /// Switches to a database restored earlier (after its check passed while the app was still running): checks its journal
    /// and that the main tables are not empty, then renames as <see cref="RestoreAsync"/> does.
    /// </summary>
    public async Task<(SwitchResult Result, IReadOnlyList<string> Problems)> SwitchAsync(string restoredDatabase, CancellationToken ct = default)
    {
        var problems = new List<string>();
        var notes = new List<string>();
        if (!await DatabaseExistsAsync(restoredDatabase, ct)) return (new SwitchResult(false, null, $"No database {restoredDatabase}"), [$"No database {restoredDatabase}"]);
        await CheckAsync(restoredDatabase, MainTables.ToDictionary(t => t, _ => 1L), problems, notes, ct, exact: false);
        if (problems.Count > 0) return (new SwitchResult(false, null, "the check failed"), problems);
        return (await SwitchCheckedAsync(restoredDatabase, ct), problems);
    }

    public static string RestoredName(string database, DateTimeOffset at) => Suffixed(database, "restored", at);

    public static string ReplacedName(string database, DateTimeOffset at) => Suffixed(database, "replaced", at);

    /// <summary><c>name_word_yyyyMMdd_HHmmss</c> (Beijing time), the name cut so the whole fits PostgreSQL's 63 bytes.</summary>
    private static string Suffixed(string database, string word, DateTimeOffset at)
    {
        var suffix = $"_{word}_{BusinessTime.ToLocal(at):yyyyMMdd_HHmmss}";
        var room = 63 - suffix.Length;
        while (System.Text.Encoding.UTF8.GetByteCount(database) > room) database = database[..^1];
        return database + suffix;
    }

    /// <summary>
    /// Row counts per table (<c>schema.table</c>) of the data in a custom-format dump, read from <c>pg_restore --data-only</c>'s
    /// COPY blocks (text format: one line per row, embedded newlines escaped).
    /// </summary>
    public async Task<Dictionary<string, long>> CountDumpRowsAsync(string file, CancellationToken ct = default)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var (exit, err) = await PgTools.RunAsync(PgTools.Find("pg_restore", pgBinDir), ["--data-only", "--file=-", file], new Dictionary<string, string?>(), async r =>
        {
            string? table = null;
            long n = 0;
            while (await r.ReadLineAsync(ct) is { } line)
            {
                if (table is null)
                {
                    if (line.StartsWith("COPY ", StringComparison.Ordinal) && line.EndsWith(" FROM stdin;", StringComparison.Ordinal))
                    {
                        table = line[5..line.IndexOf(' ', 5)].Replace("\"", "");
                        n = 0;
                    }
                }
                else if (line == "\\.")
                {
                    counts[table] = n;
                    table = null;
                }
                else n++;
            }
        }, ct);
        if (exit != 0) throw new RestoreFailedException($"The backup file cannot be read (pg_restore exit {exit}): {err}");
        return counts;
    }

    private async Task CheckAsync(string database, IReadOnlyDictionary<string, long> expected, List<string> problems, List<string> notes, CancellationToken ct, bool exact = true)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = database, Pooling = false, CommandTimeout = 0 }.ConnectionString);
        await conn.OpenAsync(ct);
        var tables = (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT table_schema || '.' || table_name FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        foreach (var (table, rows) in expected.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!tables.Contains(table)) { problems.Add($"table {table} is missing"); continue; }
            var schema = table[..table.IndexOf('.')];
            var name = table[(table.IndexOf('.') + 1)..];
            var actual = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT count(*) FROM \"{schema.Replace("\"", "\"\"")}\".\"{name.Replace("\"", "\"\"")}\"", cancellationToken: ct));
            if (exact && actual != rows) problems.Add($"table {table} has {actual:N0} rows, the dump {rows:N0}");
            if (rows > 0 && actual == 0) problems.Add($"table {table} is empty");
        }

        if (!tables.Contains("public.schema_versions"))
        {
            problems.Add("the migrations journal (schema_versions) is missing");
            return;
        }
        var journaled = (await conn.QueryAsync<string>(new CommandDefinition("SELECT scriptname FROM schema_versions", cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        var hashes = tables.Contains("public.schema_script_hashes")
            ? (await conn.QueryAsync<(string Name, string Sha)>(new CommandDefinition("SELECT script_name, sha256 FROM schema_script_hashes", cancellationToken: ct)))
                .ToDictionary(h => h.Name, h => h.Sha, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        problems.AddRange(JournalCheck.Problems(Migrator.Scripts(), journaled, hashes, out var pending));
        if (pending.Count > 0) notes.Add($"{pending.Count} newer migration(s) will be applied at the next start: {string.Join(", ", pending)}");
    }

    private async Task<SwitchResult> SwitchCheckedAsync(string restored, CancellationToken ct)
    {
        var current = CurrentDatabase;
        await using var conn = await OpenMaintenanceAsync(ct);
        var sessions = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM pg_stat_activity WHERE datname = @current AND pid <> pg_backend_pid()", new { current }, cancellationToken: ct));
        if (sessions > 0)
            return new SwitchResult(false, null, $"{sessions} session(s) are connected to {current}; stop ServiceHub (every instance)");
        string? replaced = null;
        if (await DatabaseExistsAsync(current, ct))
        {
            replaced = ReplacedName(current, clock.GetUtcNow());
            await conn.ExecuteAsync(new CommandDefinition($"ALTER DATABASE {Ident(current)} RENAME TO {Ident(replaced)}", cancellationToken: ct));
        }
        try
        {
            await conn.ExecuteAsync(new CommandDefinition($"ALTER DATABASE {Ident(restored)} RENAME TO {Ident(current)}", cancellationToken: ct));
        }
        catch (PostgresException) when (replaced is not null)
        {
            await conn.ExecuteAsync(new CommandDefinition($"ALTER DATABASE {Ident(replaced)} RENAME TO {Ident(current)}", cancellationToken: CancellationToken.None));
            throw;
        }
        return new SwitchResult(true, replaced, null);
    }

    private async Task CreateDatabaseAsync(string name, CancellationToken ct)
    {
        await using var conn = await OpenMaintenanceAsync(ct);
        if (await DatabaseExistsAsync(name, ct)) throw new RestoreFailedException($"The database {name} exists already; restore into a new one.");
        // The same encoding and locale as the app's database (Chinese text search needs a UTF-8 ctype), C.UTF-8 when it is gone.
        var (collate, ctype) = await conn.QuerySingleOrDefaultAsync<(string, string)?>(new CommandDefinition(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = @current", new { current = CurrentDatabase }, cancellationToken: ct)) ?? ("C.UTF-8", "C.UTF-8");
        await conn.ExecuteAsync(new CommandDefinition(
            $"CREATE DATABASE {Ident(name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE {Literal(collate)} LC_CTYPE {Literal(ctype)}", cancellationToken: ct));
    }

    private async Task<bool> DatabaseExistsAsync(string name, CancellationToken ct)
    {
        await using var conn = await OpenMaintenanceAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", new { name }, cancellationToken: ct));
    }

    /// <summary>The server's <c>postgres</c> database: creating and renaming databases happens from outside them.</summary>
    private async Task<NpgsqlConnection> OpenMaintenanceAsync(CancellationToken ct)
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    private static string Ident(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}

/// <summary>Is a restored database's migrations journal whole, as this build knows the scripts?</summary>
public static class JournalCheck
{
    /// <summary>
    /// Problems: an empty journal, a script journaled but unknown to this build (the backup comes from a newer ServiceHub), a
    /// script whose journaled hash differs from this build's. Scripts of this build not in the journal are
    /// <paramref name="pending"/>: the next start applies them, as it would have on the database the backup came from. (That
    /// the journal holds every row the dump had is part of the row-count check.)
    /// </summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<(string Name, string Sql)> scripts, IReadOnlySet<string> journaled,
        IReadOnlyDictionary<string, string> hashes, out IReadOnlyList<string> pending)
    {
        var problems = new List<string>();
        var known = scripts.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        if (journaled.Count == 0) problems.Add("the migrations journal is empty");
        foreach (var unknown in journaled.Where(j => !known.Contains(j)).Order(StringComparer.Ordinal))
            problems.Add($"migration {unknown} is unknown to this ServiceHub (the backup comes from a newer version)");
        foreach (var (name, sql) in scripts)
            if (journaled.Contains(name) && hashes.TryGetValue(name, out var hash) && hash != Migrator.Hash(sql))
                problems.Add($"migration {name} was applied in a different version than this ServiceHub's");
        pending = journaled.Count == 0 ? [] : scripts.Where(s => !journaled.Contains(s.Name)).Select(s => s.Name).ToList();
        return problems;
    }
}
