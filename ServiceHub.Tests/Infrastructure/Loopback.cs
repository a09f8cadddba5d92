using System.Net;
using System.Net.Sockets;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>Loopback addresses for the servers a test starts itself (an app instance, a private PostgreSQL, a redis-server).</summary>
public static class Loopback
{
    /// <summary>A port no socket holds now (the kernel's choice for a listener on port 0).</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
