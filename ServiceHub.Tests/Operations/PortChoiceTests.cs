using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>
/// Issue #16 point 7: <c>servicehub.sh</c> chooses PostgreSQL's port below Linux's ephemeral range (an outgoing connection takes
/// its local port from that range, and a TIME-WAIT socket on it is enough to make a bind fail) and treats a port held by any
/// socket — not only a listener — as taken, and moves on to the next port when PostgreSQL's bind fails all the same. Read from the
/// script itself (sourced: its functions, no command); the starts run its <c>start_cluster</c> on a real cluster (one initdb for the class).
/// </summary>
public sealed class PortChoiceTests(PortChoiceTests.ClusterDirectory cluster) : IClassFixture<PortChoiceTests.ClusterDirectory>
{
    private static int EphemeralLow => Loopback.EphemeralLow;

    private static async Task<int> FreePortAsync(int from, int? @base = null)
    {
        var psi = new ProcessStartInfo("bash", ["-c", $"source ./servicehub.sh && free_port {from}"])
        {
            WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        if (@base is { } b) psi.Environment["SERVICEHUB_PG_PORT"] = b.ToString(CultureInfo.InvariantCulture);
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, error);
        return int.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_port_held_only_by_an_outgoing_connection_is_taken_and_the_next_one_is_chosen()
    {
        var port = Loopback.FreePort();
        // A client socket (not a listener) whose local port is the one the cluster would want.
        using var connection = await Loopback.HoldWithConnectionAsync(port);

        var chosen = await FreePortAsync(port, @base: port);
        Assert.True(chosen > port, $"{chosen} is held by a connection");
        Assert.True(chosen < EphemeralLow);
    }

    [Fact]
    public async Task A_port_in_time_wait_is_taken_and_the_next_one_is_chosen()
    {
        var port = Loopback.FreePort();
        await Loopback.LeaveInTimeWaitAsync(port);
        var chosen = await FreePortAsync(port, @base: port);
        Assert.True(chosen > port, $"{chosen} is in TIME-WAIT");
        Assert.True(chosen < EphemeralLow);
    }

    [Fact]
    public async Task A_port_inside_the_ephemeral_range_is_never_chosen()
    {
        var @base = Loopback.FreePort();
        var chosen = await FreePortAsync(EphemeralLow + 100, @base);
        Assert.InRange(chosen, @base, EphemeralLow - 1);
        Assert.InRange(await FreePortAsync(@base), @base, EphemeralLow - 1);
    }

    [Fact]
    public async Task The_cluster_starts_on_another_port_when_its_port_is_held_by_a_connection()
    {
        var port = Loopback.FreePort();
        using var connection = await Loopback.HoldWithConnectionAsync(port);

        var (started, _) = await StartClusterAsync(port);
        Assert.NotEqual(port, started);
        Assert.InRange(started, port + 1, EphemeralLow - 1);
    }

    [Fact]
    public async Task When_the_bind_fails_anyway_the_cluster_starts_on_the_next_port()
    {
        var port = Loopback.FreePort();
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();

        // The port looked free when it was chosen (taken in the meantime): the script is told nothing holds any port.
        var (started, log) = await StartClusterAsync(port, "port_taken() { return 1; }");
        Assert.Contains($"port {port} was taken meanwhile; trying the next one", log);
        Assert.Equal(port + 1, started);
    }

    /// <summary>
    /// <c>start_cluster</c> on the class's cluster, wanting <paramref name="port"/>; the port it listens on, proven by a query there, and
    /// the script's log. The cluster is stopped again when the script ends.
    /// </summary>
    private async Task<(int Port, string Log)> StartClusterAsync(int port, string redefine = "")
    {
        var script = $"""
            source ./servicehub.sh
            ensure_postgres
            rm -f '{cluster.Path}/pg/port'
            {redefine}
            start_cluster '{cluster.Path}/pg'
            trap stop_cluster EXIT
            echo "port=$PGPORT query=$("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc 'SELECT 40 + 2')"
            """;
        var psi = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["SERVICEHUB_PG_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await output + await error);
        var line = (await output).Split('\n').Single(l => l.StartsWith("port=", StringComparison.Ordinal));
        Assert.EndsWith(" query=42", line);
        return (int.Parse(line["port=".Length..line.IndexOf(' ')], CultureInfo.InvariantCulture), await error);
    }

    /// <summary>A folder for the class's cluster (the postgres user enters it when the tests run as root); removed afterwards.</summary>
    public sealed class ClusterDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("servicehub-ports-").FullName;

        public ClusterDirectory()
        {
            if (OperatingSystem.IsWindows()) return;
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
