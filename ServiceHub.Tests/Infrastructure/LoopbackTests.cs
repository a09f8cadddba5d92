using System.Net;
using System.Net.Sockets;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The ports the tests' own servers (an app, a private PostgreSQL, a redis-server) listen on: below Linux's ephemeral range, where no
/// outgoing connection can be holding them (issue #16 point 7), and never one a socket holds, listening or not.
/// </summary>
public sealed class LoopbackTests
{
    [Fact]
    public void Free_ports_lie_below_the_ephemeral_range_and_are_never_handed_out_twice()
    {
        var ports = Enumerable.Range(0, 50).Select(_ => Loopback.FreePort()).ToList();
        Assert.All(ports, p => Assert.InRange(p, Loopback.Lowest, Loopback.EphemeralLow - 1));
        Assert.True(Loopback.EphemeralLow <= 32768);
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public async Task A_port_held_by_a_connection_that_does_not_listen_is_skipped()
    {
        var port = TwoUnheldPorts();
        using (await Loopback.HoldWithConnectionAsync(port))
            Assert.Equal(port + 1, Loopback.FreePort(port, port + 2));
    }

    [Fact]
    public async Task A_port_left_in_time_wait_is_skipped()
    {
        var port = TwoUnheldPorts();
        await Loopback.LeaveInTimeWaitAsync(port);
        Assert.Contains(port, Loopback.HeldPorts());
        Assert.Equal(port + 1, Loopback.FreePort(port, port + 2));
    }

    /// <summary>A port P below the ephemeral range such that neither P nor P + 1 is held by any socket nor refused to a listener now.</summary>
    private static int TwoUnheldPorts()
    {
        for (var p = 26_000 + Random.Shared.Next(4_000); ; p += 2)
        {
            var held = Loopback.HeldPorts();
            if (held.Contains(p) || held.Contains(p + 1)) continue;
            try
            {
                using var a = new TcpListener(IPAddress.Loopback, p);
                using var b = new TcpListener(IPAddress.Loopback, p + 1);
                a.Start();
                b.Start();
                return p;
            }
            catch (SocketException) { }
        }
    }
}
