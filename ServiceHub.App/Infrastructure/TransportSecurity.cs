using Microsoft.AspNetCore.HttpOverrides;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// Behind a reverse proxy and over TLS: forwarded headers from the configured proxies only, HTTPS redirection and HSTS when the
/// public URL is https, and the browser-side headers on every answer (<see cref="ContentSecurityPolicy"/>, nosniff, no framing, referrer).
/// </summary>
public static class TransportSecurity
{
    public static IServiceCollection AddTransportSecurity(this IServiceCollection services, SecuritySettings settings)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET Core trusts loopback by default: only what is configured is trusted here.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies) o.KnownProxies.Add(proxy);
            foreach (var network in settings.KnownNetworks) o.KnownIPNetworks.Add(network);
            o.ForwardLimit = null; // a chain of known proxies (load balancer → nginx) is followed until the first unknown address
        });
        if (settings.IsHttps)
        {
            services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
            services.AddHttpsRedirection(o =>
            {
                o.HttpsPort = settings.PublicUrl!.Port;
                o.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
            });
        }
        return services;
    }

    /// <summary>First in the pipeline: the client's address and scheme, then HTTPS, then the headers (also on error pages).</summary>
    public static WebApplication UseTransportSecurity(this WebApplication app, SecuritySettings settings)
    {
        app.UseForwardedHeaders();
        if (settings.IsHttps)
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        var csp = ContentSecurityPolicy(settings.PublicUrl);
        app.Use((context, next) =>
        {
            var response = context.Response;
            response.OnStarting(() =>
            {
                // A page that sets its own, stricter-per-request policy (the API reference's script nonce) keeps it.
                if (!response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.ContentSecurityPolicy)) response.Headers.ContentSecurityPolicy = csp;
                response.Headers.XContentTypeOptions = "nosniff";
                response.Headers.XFrameOptions = "DENY";
                response.Headers["Referrer-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    /// <summary>
    /// Scripts only from our own files (no inline script, no eval); styles also inline, because MudBlazor sets <c>style</c> attributes
    /// and inserts its theme as a <c>&lt;style&gt;</c> element (an accepted, lesser risk: CSS cannot run script); the Blazor circuit and
    /// the alerts hub connect back to the same origin over WebSockets; no page may frame ServiceHub.
    /// </summary>
    public static string ContentSecurityPolicy(Uri? publicUrl)
    {
        // 'self' covers ws:/wss: to the same host in CSP Level 3 browsers; the public origin is named for older ones.
        var sockets = publicUrl is null ? "" : $" {(publicUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws")}://{publicUrl.Authority}";
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
               $"connect-src 'self'{sockets}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }
}
