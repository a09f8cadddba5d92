using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using ServiceHub.Data.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Emergencies;

/// <summary>A person's screen as the hub sees it: signed in through the sign-in form, connected to /hubs/alerts with the auth cookie.</summary>
public sealed class AlertsClient : IAsyncDisposable
{
    private readonly Channel<ScreenAlert> _alerts = Channel.CreateUnbounded<ScreenAlert>();
    private readonly Channel<long[]> _acks = Channel.CreateUnbounded<long[]>();
    public HubConnection Connection { get; }
    public string UserName { get; }

    private AlertsClient(string userName, HubConnection connection)
    {
        UserName = userName;
        Connection = connection;
        connection.On<ScreenAlert>("EmergencyAlert", a => _alerts.Writer.TryWrite(a));
        connection.On<long[]>("AlertsAcknowledged", ids => _acks.Writer.TryWrite(ids));
    }

    public static async Task<CookieContainer> SignInAsync(string baseUrl, string userName)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        var (status, _) = await AppFactory.SignInAsync(http, userName, ServiceHub.Data.Admin.DemoSeeder.DemoPassword);
        if (status != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in of {userName} failed: {status}");
        return cookies;
    }

    /// <summary>Builds (and by default starts) a connection of <paramref name="userName"/> to the hub of the app at <paramref name="baseUrl"/>.</summary>
    public static async Task<AlertsClient> ConnectAsync(string baseUrl, string userName, bool start = true, CookieContainer? cookies = null)
    {
        cookies ??= await SignInAsync(baseUrl, userName);
        var connection = new HubConnectionBuilder()
            .WithUrl(baseUrl.TrimEnd('/') + "/hubs/alerts", o => o.Cookies = cookies)
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)])
            .Build();
        var client = new AlertsClient(userName, connection);
        if (start) await connection.StartAsync();
        return client;
    }

    /// <summary>The next alert, or a failure after <paramref name="timeout"/> (default 10 s).</summary>
    public async Task<ScreenAlert> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try { return await _alerts.Reader.ReadAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"{UserName} received no alert"); }
    }

    /// <summary>The next alert of emergency <paramref name="emergencyId"/>, passing over others (and repeats of earlier ones).</summary>
    public async Task<ScreenAlert> NextOfAsync(int emergencyId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
                if (await _alerts.Reader.ReadAsync(cts.Token) is { } a && a.EmergencyId == emergencyId) return a;
        }
        catch (OperationCanceledException) { throw new TimeoutException($"{UserName} received no alert of emergency {emergencyId}"); }
    }

    public async Task<long[]> NextAcknowledgedAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _acks.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Alerts received so far and not yet read.</summary>
    public List<ScreenAlert> Drain()
    {
        var list = new List<ScreenAlert>();
        while (_alerts.Reader.TryRead(out var a)) list.Add(a);
        return list;
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
