using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>
/// Issue #16 point 7: <c>servicehub.sh</c> chooses PostgreSQL's port below Linux's ephemeral range (an outgoing connection takes
/// its local port from that range, and a TIME-WAIT socket on it is enough to make a bind fail) and treats a port held by any
/// socket — not only a listener — as taken. Read from the script itself (sourced: its functions, no command).
/// </summary>
public sealed class PortChoiceTests
{
    private static int EphemeralLow => int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], CultureInfo.InvariantCulture);

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

    /// <summary>A port below the ephemeral range that nothing holds now (a listener on it binds).</summary>
    private static int UnheldLowPort()
    {
        for (var p = 20_000 + Random.Shared.Next(5_000); ; p += 7)
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, p);
                probe.Start();
                return p;
            }
            catch (SocketException) { }
        }
    }

    [Fact]
    public async Task A_port_held_only_by_an_outgoing_connection_is_taken_and_the_next_one_is_chosen()
    {
        var port = UnheldLowPort();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        // A client socket (not a listener) whose local port is the one the cluster would want.
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, port));
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port));
        using var accepted = await server.AcceptSocketAsync();

        var chosen = await FreePortAsync(port, @base: port);
        Assert.True(chosen > port, $"{chosen} is held by a connection");
        Assert.True(chosen < EphemeralLow);
    }

    [Fact]
    public async Task A_port_inside_the_ephemeral_range_is_never_chosen()
    {
        var @base = UnheldLowPort();
        var chosen = await FreePortAsync(EphemeralLow + 100, @base);
        Assert.InRange(chosen, @base, EphemeralLow - 1);
        Assert.InRange(await FreePortAsync(@base), @base, EphemeralLow - 1);
    }
}
