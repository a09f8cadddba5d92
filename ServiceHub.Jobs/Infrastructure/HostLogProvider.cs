using Hangfire.AspNetCore;
using Hangfire.Logging;
using Microsoft.Extensions.Logging;

namespace ServiceHub.Jobs.Infrastructure;

/// <summary>
/// Hangfire's log provider is one process-wide setting; each host that configures Hangfire points it at its own logger factory. When
/// several hosts live in one process (the tests' app instances) and the last one to configure Hangfire has stopped, a logger asked
/// for afterwards would come from a disposed factory: this provider answers with a silent logger then instead of failing the caller.
/// </summary>
public sealed class HostLogProvider(ILoggerFactory loggers) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(loggers);

    public ILog GetLogger(string name)
    {
        try { return _inner.GetLogger(name); }
        catch (ObjectDisposedException) { return Silent.Instance; }
    }

    private sealed class Silent : ILog
    {
        public static readonly Silent Instance = new();
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
