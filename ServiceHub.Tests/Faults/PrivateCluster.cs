using System.Diagnostics;
using Npgsql;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Faults;

/// <summary>
/// A PostgreSQL cluster of the test's own (Debian's server binaries, initdb as <c>postgres</c> when the tests run as root), on a
/// free loopback port, so a test may restart it under a running app without touching the shared test server. Removed afterwards.
/// </summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _bin;
    public int Port { get; }

    private PrivateCluster(string dir, string bin, int port) { _dir = dir; _bin = bin; Port = port; }

    private string Data => Path.Combine(_dir, "data");

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ConnectionString;

    public static async Task<PrivateCluster> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => int.Parse(Path.GetFileName(Path.GetDirectoryName(d)!)!)).LastOrDefault()
            ?? throw new InvalidOperationException("no PostgreSQL server binaries under /usr/lib/postgresql (./servicehub.sh test installs them)");
        var dir = Path.Combine(Path.GetTempPath(), $"sh-fault-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        if (Environment.UserName == "root") await RunAsync("chown", "postgres:postgres", dir);
        var port = Loopback.FreePort();
        var cluster = new PrivateCluster(dir, bin, port);
        await cluster.PgAsync(Path.Combine(bin, "initdb"), "-D", cluster.Data, "-U", "postgres", "-A", "trust", "--locale=C.UTF-8", "--encoding=UTF8");
        await cluster.PgAsync(Path.Combine(bin, "pg_ctl"), "-D", cluster.Data, "-l", Path.Combine(dir, "postgres.log"), "-w", "-t", "120",
            "-o", $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        return cluster;
    }

    /// <summary><c>pg_ctl restart -m fast</c>: every session is ended, the server stops and starts again on the same port.</summary>
    public Task RestartFastAsync() => PgAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "fast", "-w", "-t", "120", "restart");

    public async Task CreateDatabaseAsync(string name)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private Task PgAsync(string exe, params string[] args) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", exe, .. args]) : RunAsync(exe, args);

    private static async Task RunAsync(string exe, params string[] args)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await PgAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "immediate", "-w", "stop"); } catch (InvalidOperationException) { /* already down */ }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
