using System.Diagnostics;
using Hangfire.Server;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Jobs.Infrastructure;

/// <summary>Times every job the server performs and counts its failures (<see cref="DomainMetrics.JobRan"/>), by job class.</summary>
public sealed class JobMetricsFilter(DomainMetrics metrics) : IServerFilter
{
    private const string StartedKey = "servicehub.started";

    public void OnPerforming(PerformingContext context) => context.Items[StartedKey] = Stopwatch.GetTimestamp();

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(StartedKey, out var started) && started is long t)
            metrics.JobRan(context.BackgroundJob.Job?.Type.Name ?? "unknown", Stopwatch.GetElapsedTime(t), context.Exception is not null && !context.ExceptionHandled);
    }
}
