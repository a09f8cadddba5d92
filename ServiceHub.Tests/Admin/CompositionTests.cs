using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.Data.Admin;
using ServiceHub.Jobs.Complaints;
using ServiceHub.Jobs.Emergencies;
using ServiceHub.Jobs.Information;
using ServiceHub.Jobs.Reports;
using ServiceHub.Jobs.ReturnVisits;

namespace ServiceHub.Tests.Admin;

/// <summary>How the app is put together: the demo only when asked for; every recurring job once, on its own schedule, in Beijing time.</summary>
public sealed class CompositionTests
{
    private const string NoDatabase = "Host=127.0.0.1;Port=1;Database=none";

    private static ServiceCollection Data()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddServiceHubData(NoDatabase);
        return services;
    }

    [Fact]
    public void The_production_services_hold_no_demo_company()
    {
        using var sp = Data().BuildServiceProvider();
        Assert.Null(sp.GetService<DemoSeeder>());
        Assert.Null(sp.GetService<DemoStartup>());
    }

    [Fact]
    public void Asking_for_the_demo_adds_its_start_up_step_with_the_history_only_when_asked_for_too()
    {
        var services = Data();
        services.AddServiceHubDemo(NoDatabase, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ServiceHub:SeedDemoHistory"] = "false" }).Build());
        using var sp = services.BuildServiceProvider();
        Assert.NotNull(sp.GetService<DemoSeeder>());
        Assert.NotNull(sp.GetService<DemoStartup>());
    }

    private sealed class RecordingJobManager : IRecurringJobManager
    {
        public Dictionary<string, (Job Job, string Cron, RecurringJobOptions Options)> Added { get; } = [];
        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options) => Added[recurringJobId] = (job, cronExpression, options);
        public void Trigger(string recurringJobId) { }
        public void RemoveIfExists(string recurringJobId) { }
    }

    [Fact]
    public void Every_recurring_job_is_registered_with_the_schedule_beside_it_in_beijing_time()
    {
        var jobs = new RecordingJobManager();
        new ServiceCollection().AddSingleton<IRecurringJobManager>(jobs).BuildServiceProvider().RegisterServiceHubJobs();

        var expected = new Dictionary<string, (Type Job, string Cron)>
        {
            [EscalationJob.Id] = (typeof(EscalationJob), EscalationJob.Schedule.Cron),
            [HotComplaintJob.Id] = (typeof(HotComplaintJob), HotComplaintJob.Schedule.Cron),
            [ServiceHub.Jobs.Intake.HandOverJob.Id] = (typeof(ServiceHub.Jobs.Intake.HandOverJob), ServiceHub.Jobs.Intake.HandOverJob.Schedule.Cron),
            [EmergencySweepJob.Id] = (typeof(EmergencySweepJob), EmergencySweepJob.Schedule.Cron),
            [ClosureJob.Id] = (typeof(ClosureJob), ClosureJob.Schedule.Cron),
            [AnnualReportJob.Id] = (typeof(AnnualReportJob), AnnualReportJob.Schedule.Cron),
            [ServiceHub.Jobs.Assessment.ReportingCalendarJob.Id] = (typeof(ServiceHub.Jobs.Assessment.ReportingCalendarJob), ServiceHub.Jobs.Assessment.ReportingCalendarJob.Schedule.Cron),
            [InformationFilingJob.Id] = (typeof(InformationFilingJob), InformationFilingJob.Schedule.Cron),
            [RetentionJob.Id] = (typeof(RetentionJob), RetentionJob.Schedule.Cron),
            [ServiceHub.Jobs.Operations.BackupJob.Id] = (typeof(ServiceHub.Jobs.Operations.BackupJob), ServiceHub.Jobs.Operations.BackupJob.Schedule.Cron),
            [ServiceHub.Jobs.Notifications.OutboxDeliveryJob.Id] = (typeof(ServiceHub.Jobs.Notifications.OutboxDeliveryJob), ServiceHub.Jobs.Notifications.OutboxDeliveryJob.Schedule.Cron),
        };
        Assert.Equal(expected.Keys.Order(), jobs.Added.Keys.Order());
        foreach (var (id, (job, cron)) in expected)
        {
            var added = jobs.Added[id];
            Assert.Equal(job, added.Job.Type);
            Assert.Equal(cron, added.Cron);
            Assert.Equal("Asia/Shanghai", added.Options.TimeZone.Id);
        }
        Assert.Equal(Cron.Minutely(), EscalationJob.Schedule.Cron);
        Assert.Equal("30 2 * * *", RetentionJob.Schedule.Cron);
    }
}
