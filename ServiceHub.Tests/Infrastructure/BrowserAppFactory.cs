using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Emergencies;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The app on a real Kestrel port, for Chromium and for SignalR clients over WebSockets; shared by <see cref="BrowserCollection"/>.
/// Two settings serve single tests and change nothing for the others: a live session is re-checked every second (a deactivated
/// user's open page is signed out without a 30-second wait), and a hub filter lets a test cut its own SignalR connection from the
/// server side, as a network drop would (<c>Acknowledge(-1, …)</c>, an alert row that does not exist).
/// </summary>
public class BrowserAppFactory : AppFactory
{
    protected override bool Kestrel => true;
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Auth:RevalidationInterval"] = "00:00:01" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.Configure<HubOptions>(o => o.AddFilter(new DropConnectionFilter())));
    }

    /// <summary>Acknowledge(-1, …) aborts the caller's connection.</summary>
    private sealed class DropConnectionFilter : IHubFilter
    {
        public ValueTask<object?> InvokeMethodAsync(HubInvocationContext ctx, Func<HubInvocationContext, ValueTask<object?>> next)
        {
            if (ctx.HubMethodName == nameof(AlertsHub.Acknowledge) && ctx.HubMethodArguments[0] is -1L)
            {
                ctx.Context.GetHttpContext()!.Abort(); // the TCP connection goes, as in a network drop
                return ValueTask.FromResult<object?>(false);
            }
            return next(ctx);
        }
    }
}
