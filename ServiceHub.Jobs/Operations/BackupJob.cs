using Hangfire;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Operations;
using ServiceHub.Jobs.Infrastructure;

namespace ServiceHub.Jobs.Operations;

/// <summary>
/// Every night at 02:00 Beijing time: a verified <c>pg_dump -Fc</c> into <c>Backups:Directory</c>, recorded, old dumps pruned
/// (<see cref="BackupService"/>). A failed backup is recorded first, then fails the job so Hangfire retries it and shows it.
/// </summary>
public sealed class BackupJob(BackupService backups)
{
    public const string Id = "nightly-backup";

    /// <summary>Nightly at 02:00 Beijing time.</summary>
    public static readonly JobSchedule Schedule = JobSchedule.InBeijing("0 2 * * *");

    public static void Register(IRecurringJobManager jobs) => Schedule.Register<BackupJob>(jobs, Id, j => j.RunAsync(CancellationToken.None));

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [600, 1800])]
    public async Task RunAsync(CancellationToken ct)
    {
        var r = await backups.RunAsync(Actor.System, BackupTriggers.Nightly, ct);
        if (r is { Succeeded: false }) throw new BackupService.BackupFailedException(r.Message ?? "backup failed");
    }
}
