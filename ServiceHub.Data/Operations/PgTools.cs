using System.Diagnostics;
using System.Text;
using Npgsql;

namespace ServiceHub.Data.Operations;

/// <summary>
/// PostgreSQL's client programs (pg_dump, pg_restore) found as <c>servicehub.sh</c> finds the server: a configured folder, else
/// the newest <c>/usr/lib/postgresql/N/bin</c> of the distribution's packages, else <c>PATH</c>. pg_dump must be at least the
/// server's major version, so the newest installed one is the right default.
/// </summary>
public static class PgTools
{
    public sealed class ToolFailedException(string message) : Exception(message);

    public static string Find(string tool, string? binDir = null)
    {
        if (!string.IsNullOrWhiteSpace(binDir))
        {
            var configured = Path.Combine(binDir, tool);
            return File.Exists(configured) ? configured
                : throw new ToolFailedException($"{tool} not found in {binDir} (Backups:PgBinDir). Install the PostgreSQL client programs (Debian/Ubuntu: apt-get install postgresql-client).");
        }
        const string packages = "/usr/lib/postgresql";
        if (Directory.Exists(packages))
        {
            var newest = Directory.GetDirectories(packages)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(x => x.Version >= 0)
                .OrderByDescending(x => x.Version)
                .Select(x => Path.Combine(x.Dir, "bin", tool))
                .FirstOrDefault(File.Exists);
            if (newest is not null) return newest;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        throw new ToolFailedException($"{tool} not found. Install the PostgreSQL client programs (Debian/Ubuntu: apt-get install postgresql-client) or set Backups:PgBinDir.");
    }

    /// <summary>
    /// A libpq connection of an Npgsql connection string (for <c>--dbname</c>) and the environment that carries its password,
    /// so the password never appears on a command line.
    /// </summary>
    public static (string ConnInfo, Dictionary<string, string?> Environment) Libpq(string connectionString, string? database = null)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var parts = new List<string>
        {
            $"host={Quote(csb.Host ?? "localhost")}",
            $"port={csb.Port}",
            $"dbname={Quote(database ?? csb.Database ?? "postgres")}",
        };
        if (!string.IsNullOrEmpty(csb.Username)) parts.Add($"user={Quote(csb.Username)}");
        parts.Add($"sslmode={csb.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        }}");
        parts.Add("application_name=servicehub-backup");
        var env = new Dictionary<string, string?> { ["PGPASSWORD"] = csb.Password, ["PGCONNECT_TIMEOUT"] = "10" };
        return (string.Join(' ', parts), env);
    }

    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <summary>Runs a program to its end; standard output goes to <paramref name="stdout"/> (or is read and dropped); returns the exit code and the standard error.</summary>
    public static async Task<(int ExitCode, string StdErr)> RunAsync(string exe, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment,
        Func<StreamReader, Task>? stdout = null, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment)
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        using var process = Process.Start(psi) ?? throw new ToolFailedException($"{exe} did not start");
        var err = process.StandardError.ReadToEndAsync(ct);
        try
        {
            if (stdout is null) await process.StandardOutput.ReadToEndAsync(ct);
            else await stdout(process.StandardOutput);
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* already gone */ }
            throw;
        }
        return (process.ExitCode, (await err).Trim());
    }
}
