using System.Diagnostics;
using Npgsql;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// Counts the SQL commands Npgsql runs against one database whose text contains <paramref name="textContains"/> (from Npgsql's
/// "Npgsql" activity source, as OpenTelemetry sees them), while it lives. Other tests' databases are not counted.
/// </summary>
public sealed class QueryCounter : IDisposable
{
    private readonly ActivityListener _listener;
    private int _count;

    public QueryCounter(string connectionString, string textContains)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                string? Tag(params string[] keys) => keys.Select(k => a.GetTagItem(k) as string).FirstOrDefault(v => v is not null);
                if (Tag("db.namespace", "db.name") == database && Tag("db.query.text", "db.statement") is { } sql && sql.Contains(textContains, StringComparison.Ordinal))
                    Interlocked.Increment(ref _count);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Count => Volatile.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
