using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Postgresql;
using Npgsql;

namespace ServiceHub.Data.Infrastructure;

/// <summary>
/// Applies the numbered scripts of <c>sql/</c> once each, in order, each in its own transaction, journaled by DbUp.
/// A script that was applied and has since been edited stops start-up: its hash is journaled beside DbUp's journal.
/// Instances started at the same moment take turns: a PostgreSQL advisory lock (per database) is held around the whole run,
/// so one migrates while the others wait, then find nothing pending and start.
/// </summary>
public static class Migrator
{
    public sealed class MigrationException(string message) : Exception(message);

    public static IReadOnlyList<(string Name, string Sql)> Scripts()
    {
        var asm = typeof(Migrator).Assembly;
        return asm.GetManifestResourceNames()
            .Where(n => n.StartsWith("sql.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n =>
            {
                using var s = asm.GetManifestResourceStream(n)!;
                using var r = new StreamReader(s, Encoding.UTF8);
                return (n["sql.".Length..], r.ReadToEnd());
            })
            .ToList();
    }

    public static string Hash(string sql) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n")))).ToLowerInvariant();

    /// <summary>The advisory lock key of a migration run ("ServiceHub" in ASCII); advisory locks are scoped to the database.</summary>
    public const long LockKey = 0x5365727669636548;

    /// <summary>
    /// Runs pending migrations; returns the names applied. Waits while another instance migrates the same database. With
    /// <paramref name="through"/>, only the scripts up to that one (by name) — a database as an older release left it (upgrade tests).
    /// </summary>
    public static IReadOnlyList<string> Run(string connectionString, IUpgradeLog? log = null, Action<string>? waiting = null, string? through = null)
    {
        // The lock lives on a connection of its own, held until the run ends (DbUp opens its own connections).
        using var lockConnection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        lockConnection.Open();
        using (var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", lockConnection))
        {
            if (!(bool)tryLock.ExecuteScalar()!)
            {
                waiting?.Invoke("Another instance is applying the migrations to this database; waiting for it.");
                using var wait = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", lockConnection) { CommandTimeout = 0 };
                wait.ExecuteNonQuery();
            }
        }
        try
        {
            return RunLocked(connectionString, log, through);
        }
        finally
        {
            using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", lockConnection);
            unlock.ExecuteNonQuery();
        }
    }

    private static IReadOnlyList<string> RunLocked(string connectionString, IUpgradeLog? log, string? through)
    {
        var scripts = Scripts();
        EnsureNoEditedScripts(connectionString, scripts);

        var journalScripts = scripts.Where(s => through is null || string.CompareOrdinal(s.Name, through) <= 0)
            .Select(s => new SqlScript(s.Name, s.Sql)).ToList();
        var builder = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScripts(journalScripts)
            .WithTransactionPerScript()
            .JournalTo((cm, lg) => new HashingJournal(new PostgresqlTableJournal(cm, lg, "public", "schema_versions")))
            .WithVariablesDisabled();
        builder = log is null ? builder.LogToNowhere() : builder.LogTo(log);
        var result = builder.Build().PerformUpgrade();
        if (!result.Successful)
            throw new MigrationException($"Migration {result.ErrorScript?.Name} failed: {result.Error?.Message}");
        return result.Scripts.Select(s => s.Name).ToList();
    }

    private static void EnsureNoEditedScripts(string connectionString, IReadOnlyList<(string Name, string Sql)> scripts)
    {
        using var conn = new NpgsqlConnection(connectionString);
        conn.Open();
        using var exists = new NpgsqlCommand("SELECT to_regclass('public.schema_script_hashes') IS NOT NULL", conn);
        if (!(bool)exists.ExecuteScalar()!) return;
        using var cmd = new NpgsqlCommand("SELECT script_name, sha256 FROM schema_script_hashes", conn);
        using var reader = cmd.ExecuteReader();
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read()) applied[reader.GetString(0)] = reader.GetString(1);
        foreach (var (name, sql) in scripts)
        {
            if (applied.TryGetValue(name, out var hash) && hash != Hash(sql))
                throw new MigrationException(
                    $"Migration {name} was changed after it was applied to this database. Restore the original script and add a new numbered migration instead.");
        }
    }

    private sealed class HashingJournal(IJournal inner) : IJournal
    {
        public string[] GetExecutedScripts() => inner.GetExecutedScripts();

        public void StoreExecutedScript(SqlScript script, Func<System.Data.IDbCommand> dbCommandFactory)
        {
            inner.StoreExecutedScript(script, dbCommandFactory);
            using var cmd = dbCommandFactory();
            cmd.CommandText = "INSERT INTO schema_script_hashes (script_name, sha256) VALUES (@n, @h) ON CONFLICT (script_name) DO UPDATE SET sha256 = EXCLUDED.sha256";
            var n = cmd.CreateParameter(); n.ParameterName = "n"; n.Value = script.Name; cmd.Parameters.Add(n);
            var h = cmd.CreateParameter(); h.ParameterName = "h"; h.Value = Hash(script.Contents); cmd.Parameters.Add(h);
            cmd.ExecuteNonQuery();
        }

        public void EnsureTableExistsAndIsLatestVersion(Func<System.Data.IDbCommand> dbCommandFactory)
        {
            inner.EnsureTableExistsAndIsLatestVersion(dbCommandFactory);
            using var cmd = dbCommandFactory();
            cmd.CommandText = "CREATE TABLE IF NOT EXISTS schema_script_hashes (script_name text PRIMARY KEY, sha256 text NOT NULL)";
            cmd.ExecuteNonQuery();
        }
    }
}
