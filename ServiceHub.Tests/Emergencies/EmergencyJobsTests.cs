using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using ServiceHub.Data.Emergencies;
using ServiceHub.Jobs.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Emergencies;

public sealed class EmergencyJobsTests(EmergencyFixture db) : IClassFixture<EmergencyFixture>
{
    private sealed class RecordingJobClient : IBackgroundJobClient
    {
        public List<(Job Job, DateTime EnqueueAt)> Scheduled { get; } = [];

        public string Create(Job job, IState state)
        {
            Scheduled.Add((job, ((ScheduledState)state).EnqueueAt));
            return Scheduled.Count.ToString();
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }

    /// <summary>Hangfire's storage, held until the test lets it go.</summary>
    private sealed class HeldJobClient(IBackgroundJobClient inner, Task released) : IBackgroundJobClient
    {
        public string Create(Job job, IState state)
        {
            released.Wait();
            return inner.Create(job, state);
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }

    [Fact]
    public async Task The_report_does_not_wait_for_its_follow_ups_to_be_scheduled_and_they_are_scheduled_after_it()
    {
        var jobs = new RecordingJobClient();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var occurredAt = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        using var scheduler = new QueuedEmergencyScheduler(new HangfireEmergencyScheduler(new HeldJobClient(jobs, release.Task)),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<QueuedEmergencyScheduler>.Instance);
        await scheduler.StartAsync(CancellationToken.None);

        scheduler.ScheduleFollowUps(42, occurredAt); // returns while Hangfire's storage is held (the report's call returns, its screens are alerted)
        Assert.Empty(jobs.Scheduled);

        release.SetResult();
        await Eventually.WaitAsync(() => jobs.Scheduled.Count == 3, TimeSpan.FromSeconds(10), "the three follow-ups to be scheduled");
        Assert.Equal([AlertReasons.Reminder60, AlertReasons.Reminder90, AlertReasons.Escalated], jobs.Scheduled.Select(s => (string)s.Job.Args[1]));
        await scheduler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void A_new_emergency_gets_delayed_jobs_at_60_90_and_120_minutes_after_it_happened()
    {
        var jobs = new RecordingJobClient();
        var occurredAt = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        new HangfireEmergencyScheduler(jobs).ScheduleFollowUps(42, occurredAt);

        Assert.Equal(
            [occurredAt.AddMinutes(60).UtcDateTime, occurredAt.AddMinutes(90).UtcDateTime, occurredAt.AddHours(2).UtcDateTime],
            jobs.Scheduled.Select(s => s.EnqueueAt));
        Assert.All(jobs.Scheduled, s => Assert.Equal((typeof(EmergencyFollowUpJob), nameof(EmergencyFollowUpJob.RunAsync), (object)42), (s.Job.Type, s.Job.Method.Name, s.Job.Args[0])));
        Assert.Equal([AlertReasons.Reminder60, AlertReasons.Reminder90, AlertReasons.Escalated], jobs.Scheduled.Select(s => (string)s.Job.Args[1]));
    }

    [Fact]
    public async Task The_delayed_job_and_the_sweep_do_the_follow_up_once_between_them()
    {
        var id = await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), await EmergencyTestData.ReportAsync(db.DataSource, db.S.Clock.GetUtcNow()));
        db.S.Clock.Advance(TimeSpan.FromMinutes(61));
        var job = new EmergencyFollowUpJob(db.Emergencies);
        var sweep = new EmergencySweepJob(db.Emergencies);
        await Task.WhenAll(job.RunAsync(id, AlertReasons.Reminder60, CancellationToken.None), sweep.RunAsync(CancellationToken.None), job.RunAsync(id, AlertReasons.Reminder60, CancellationToken.None));
        Assert.Equal(["reported", "reminder_60"], await EmergencyTestData.EventsAsync(db.DataSource, id));
        Assert.Single(await EmergencyTestData.AlertsAsync(db.DataSource, id), a => a.Reason == AlertReasons.Reminder60);
    }
}

[Collection(AppCollection.Name)]
public sealed class EmergencyJobRegistrationTests(AppFactory app)
{
    [Fact]
    public void The_sweep_is_a_recurring_job_every_minute_in_Beijing_time()
    {
        using var connection = app.Get<JobStorage>().GetConnection();
        var sweep = Assert.Single(connection.GetRecurringJobs(), j => j.Id == EmergencySweepJob.Id);
        Assert.Equal(Cron.Minutely(), sweep.Cron);
        Assert.Equal("Asia/Shanghai", sweep.TimeZoneId);
    }
}
