using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>Loopback addresses for the servers a test starts itself (an app instance, a private PostgreSQL, a redis-server).</summary>
public static class Loopback
{
    /// <summary>The lowest port handed out: clear of the usual ports of installed services and of <c>servicehub.sh</c>'s PostgreSQL (from 15432).</summary>
    public const int Lowest = 20_000;

    /// <summary>
    /// The start of Linux's ephemeral range (<c>ip_local_port_range</c>, 32768 unless configured lower): outgoing connections take their
    /// local ports from there, so a server of ours inside it may find its port held by anyone's connection, a TIME-WAIT one included.
    /// </summary>
    public static int EphemeralLow { get; } = ReadEphemeralLow();

    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port below the ephemeral range that no TCP socket holds now — listening or not, TIME-WAIT included — and that a listener can
    /// bind; never one handed out before in this run (the servers of parallel tests start after this returns). Random, so runs of
    /// other engineers on the machine seldom try the same one.
    /// </summary>
    public static int FreePort() => FreePort(Lowest, EphemeralLow);

    /// <summary>As <see cref="FreePort()"/>, from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive).</summary>
    public static int FreePort(int from, int to)
    {
        var held = HeldPorts();
        lock (Given)
        {
            var start = Random.Shared.Next(to - from);
            for (var i = 0; i < to - from; i++)
            {
                var port = from + (start + i) % (to - from);
                if (held.Contains(port) || Given.Contains(port) || !Bindable(port)) continue;
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port between {from} and {to}");
    }

    /// <summary>The local ports of every TCP socket of the machine (the kernel's tables: listeners and connections in any state).</summary>
    public static HashSet<int> HeldPorts()
    {
        var properties = IPGlobalProperties.GetIPGlobalProperties();
        return [.. properties.GetActiveTcpConnections().Select(c => c.LocalEndPoint.Port), .. properties.GetActiveTcpListeners().Select(l => l.Port)];
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int ReadEphemeralLow()
    {
        const int linuxDefault = 32768;
        try
        {
            var low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            return Math.Min(low, linuxDefault);
        }
        catch (IOException)
        {
            return linuxDefault;
        }
    }

    /// <summary>
    /// A connection whose local port is <paramref name="port"/> (a client socket, not a listener, as an outgoing connection of any
    /// program holds one), to a listener of its own; open until disposed.
    /// </summary>
    public static async Task<IDisposable> HoldWithConnectionAsync(int port)
    {
        var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, port));
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)server.LocalEndpoint).Port));
        var accepted = await server.AcceptSocketAsync();
        return new Held(client, accepted, server);
    }

    /// <summary>
    /// A connection from <paramref name="port"/> closed by its own side first, so the port stays in TIME-WAIT (a minute on Linux) with no
    /// socket of this process left on it; returns once the kernel's table shows it so.
    /// </summary>
    public static async Task LeaveInTimeWaitAsync(int port)
    {
        using (var held = (Held)await HoldWithConnectionAsync(port))
        {
            held.Client.Shutdown(SocketShutdown.Both); // our FIN first: this side is the one that waits
            held.Client.Close();
            held.Accepted.Close();
        }
        await Eventually.WaitAsync(() => IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Any(c => c.LocalEndPoint.Port == port && c.State == TcpState.TimeWait), TimeSpan.FromSeconds(30), $"port {port} in TIME-WAIT");
    }

    private sealed record Held(Socket Client, Socket Accepted, TcpListener Server) : IDisposable
    {
        public void Dispose()
        {
            Client.Dispose();
            Accepted.Dispose();
            Server.Dispose();
        }
    }
}
