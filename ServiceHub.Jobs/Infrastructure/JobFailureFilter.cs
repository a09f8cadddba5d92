using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Admin;

namespace ServiceHub.Jobs.Infrastructure;

/// <summary>
/// The job server's watch on failures (issue #16 point 13): a job that moves to Failed — its retries used up, or none allowed — is
/// recorded in <see cref="JobFailures"/> under its recurring id (else its class and method), which notifies the administrators.
/// A retry scheduled after a failure is not a failure yet. Recording never fails the state change itself: if the database is
/// down too, the failure is logged and stays visible in the Hangfire dashboard.
/// </summary>
public sealed class JobFailureFilter(JobFailures failures, ILogger<JobFailureFilter> log) : IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not FailedState failed) return;
        var name = JobName(context);
        try
        {
            failures.RecordAsync(name, context.BackgroundJob.Id, $"{failed.Exception.GetType().Name}: {failed.Exception.Message}")
                .GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Could not record the failure of job {Job} ({HangfireJobId})", name, context.BackgroundJob.Id);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction) { }

    /// <summary>The recurring job's id when it has one (what the dashboard and the schedule call it), else Class.Method.</summary>
    public static string JobName(ApplyStateContext context)
    {
        var recurring = context.Connection.GetJobParameter(context.BackgroundJob.Id, "RecurringJobId");
        if (!string.IsNullOrEmpty(recurring) && SerializationHelper.Deserialize<string>(recurring) is { Length: > 0 } id) return id;
        var job = context.BackgroundJob.Job;
        return job is null ? "unknown" : $"{job.Type.Name}.{job.Method.Name}";
    }
}
