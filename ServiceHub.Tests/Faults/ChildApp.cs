using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace ServiceHub.Tests.Faults;

/// <summary>
/// The built ServiceHub.App run as a separate process (as production runs it), its output kept, so a test can kill it with
/// SIGKILL in the middle of its work. Its database sessions carry <see cref="ApplicationName"/>, so the test can see them in
/// <c>pg_stat_activity</c> and wait until the server has ended them.
/// </summary>
public sealed class ChildApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public string ApplicationName { get; }
    public string Output => string.Join('\n', _output);

    private ChildApp(Process process, string applicationName)
    {
        _process = process;
        ApplicationName = applicationName;
    }

    public static string AppDll => Path.Combine(AppContext.BaseDirectory, "ServiceHub.App.dll");

    /// <summary>Starts <c>dotnet ServiceHub.App.dll args…</c> in Production over <paramref name="connectionString"/>.</summary>
    public static ChildApp Start(string connectionString, string applicationName, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(AppDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["ConnectionStrings__ServiceHub"] = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DataProtection__AllowUnencryptedKeys"] = "true";
        info.Environment["Hangfire__Server"] = "false";
        info.Environment["ServiceHub__PublicUrl"] = "http://servicehub.test";
        info.Environment["Backups__Directory"] = Path.Combine(Path.GetTempPath(), "servicehub-fault-backups");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var child = new ChildApp(process, applicationName);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) child._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) child._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>kill -9: no shutdown, no rollback sent, sockets dropped by the kernel.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // the output's last lines
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}

/// <summary>Waits for a condition the test can observe (never a fixed sleep): polls it until true or the time is up.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (sw.Elapsed > timeout) throw new TimeoutException($"waited {timeout.TotalSeconds:F0} s for {what}; last value {value}");
            await Task.Delay(20);
        }
    }
}

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
