using Hangfire;
using Hangfire.Common;
using ServiceHub.Jobs.Infrastructure;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// Hangfire on PostgreSQL (schema <c>hangfire</c> of the same database, its own small connection pool).
    /// The processing server runs unless <c>Hangfire:Server</c> is <c>false</c> (tests call jobs directly).
    /// </summary>
    public static IServiceCollection AddServiceHubJobs(this IServiceCollection services, string connectionString, IConfiguration configuration)
    {
        var hangfireCs = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 10, ApplicationName = "servicehub-hangfire" }.ConnectionString;
        services.AddHangfire((sp, c) => c
            .UseLogProvider(new HostLogProvider(sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(hangfireCs), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromSeconds(5),
                InvisibilityTimeout = TimeSpan.FromMinutes(30),
            }));
        services.AddSingleton<JobFailureFilter>();
        services.AddSingleton<JobMetricsFilter>();
        if (configuration.GetValue("Hangfire:Server", true))
            services.AddHangfireServer((sp, o) =>
            {
                o.WorkerCount = Math.Max(2, Environment.ProcessorCount * 2);
                o.FilterProvider = WithFailureWatch(sp);
            });
        return services
            .AddServiceHubComplaintJobs()
            .AddServiceHubIntakeJobs()
            .AddServiceHubEmergencyJobs()
            .AddServiceHubReturnVisitJobs()
            .AddServiceHubReportJobs()
            .AddServiceHubAssessmentJobs()
            .AddServiceHubInformationJobs()
            .AddServiceHubNotificationJobs(configuration)
            .AddServiceHubOperationsJobs();
    }

    /// <summary>Hangfire's own filters plus <see cref="JobFailureFilter"/> and <see cref="JobMetricsFilter"/>, for this server only (no global state shared between hosts).</summary>
    public static IJobFilterProvider WithFailureWatch(IServiceProvider services) =>
        new JobFilterProviderCollection(JobFilterProviders.Providers, new JobFilterCollection { services.GetRequiredService<JobFailureFilter>(), services.GetRequiredService<JobMetricsFilter>() });
}
