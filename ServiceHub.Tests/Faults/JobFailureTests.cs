using System.Security.Claims;
using Bunit;
using Dapper;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.App.Components.Pages.Admin;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Jobs.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Faults;

/// <summary>A job that always fails, retried once at once (so the test sees "failed after its retries" quickly).</summary>
public sealed class AlwaysFailingJob
{
    [AutomaticRetry(Attempts = 1, DelaysInSeconds = [0])]
    public void Run() => throw new InvalidOperationException("the remote system refused");
}

/// <summary>
/// Issue #16 points 1 and 13, with a real Hangfire server over the test database: the closure job retries soon after a database
/// error; a job that failed after its retries notifies the administrators and stays on their home page until handled; the sweep
/// that steps aside for another's lock says so in the log.
/// </summary>
[Trait("Category", "faults")]
public sealed class JobFailureTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    /// <summary>Hangfire's own storage, apart from the app's database (which the retry test turns read-only under the job).</summary>
    private string _jobStorage = "";

    public async Task InitializeAsync()
    {
        _jobStorage = await TestServer.CreateDatabaseAsync("hangfire");
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("INSERT INTO users (user_name, display_name, password_hash, roles) VALUES ('ops1', '运维一', 'x', '{admin}'), ('ops2', '运维二', 'x', '{admin,agent}'), ('nonadmin', '非管理员', 'x', '{agent}') ON CONFLICT DO NOTHING");
    }

    public Task DisposeAsync() => TestServer.DropDatabaseAsync(_jobStorage);

    /// <summary>The Data services' clock (Hangfire's own schedule runs on real time: its retries are seconds apart).</summary>
    private readonly FakeTimeProvider _clock = new(TestClock.Start);

    private ServiceProvider Services(ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddLogging(l => { if (logs is not null) l.AddProvider(logs); });
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddServiceHubData(db.ConnectionString);
        services.AddTransient<ClosureJob>();
        services.AddSingleton<ServiceHub.Jobs.Infrastructure.JobFailureFilter>();
        services.AddSingleton<ServiceHub.Jobs.Infrastructure.JobMetricsFilter>();
        return services.BuildServiceProvider();
    }

    /// <summary>A job server as the app runs it (the failure watch in its filters), polling its schedule every second.</summary>
    private (BackgroundJobServer Server, BackgroundJobClient Client) Hangfire(ServiceProvider sp)
    {
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(200) };
        var storage = new PostgreSqlStorage(new ConnectionFactory(_jobStorage), options);
        var filters = JobsServiceCollectionExtensions.WithFailureWatch(sp);
        var server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = 1, SchedulePollingInterval = TimeSpan.FromSeconds(1), FilterProvider = filters,
            Activator = new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()),
        }, storage);
        return (server, new BackgroundJobClient(storage, filters));
    }

    [Fact]
    public async Task A_job_that_failed_after_its_retries_notifies_the_admins_and_stays_on_their_home_page_until_handled()
    {
        await using var sp = Services();
        var (server, client) = Hangfire(sp);
        using (server)
        {
            client.Create(Job.FromExpression<AlwaysFailingJob>(j => j.Run()), new EnqueuedState());
            await Eventually.WaitAsync(() => OpenFailuresAsync(), n => n > 0, TimeSpan.FromMinutes(1), "the failure to be recorded");
        }
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var failure = await conn.QuerySingleAsync<(string Job, int Failures, string Error)>("SELECT job_name, failures, error FROM job_failures WHERE handled_at IS NULL");
        Assert.Equal(("AlwaysFailingJob.Run", 1, "InvalidOperationException: the remote system refused"), failure);
        var admins = (await conn.QueryAsync<int>("SELECT id FROM users WHERE is_active AND 'admin' = ANY (roles)")).Order().ToList();
        Assert.True(admins.Count >= 2);
        Assert.Equal(admins, (await conn.QueryAsync<int>($"SELECT user_id FROM notifications WHERE message_key = '{JobFailures.NotifyKey}'")).Order());

        // On an administrator's home page until one of them marks it handled.
        var adminId = admins[0];
        await using var ctx = BunitSetup.Create("en", s =>
        {
            s.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
            s.AddServiceHubData(db.ConnectionString);
            s.AddScoped<CurrentUser>();
            s.AddScoped<ActionRunner>();
        }, a => a.SetAuthorized("admin").SetRoles(Roles.Admin).SetClaims(new Claim(ClaimTypes.NameIdentifier, adminId.ToString()), new Claim(AppClaims.DisplayName, "系统管理员")));
        ctx.Render<MudBlazor.MudSnackbarProvider>();
        var home = ctx.Render<FailedJobsWarning>();
        home.WaitForAssertion(() => Assert.Contains("Background job \"AlwaysFailingJob.Run\" failed", home.Find("[data-testid=job-failure]").TextContent));
        Assert.Contains("the remote system refused", home.Find("[data-testid=job-failure-error]").TextContent);
        var nextVisit = ctx.Render<FailedJobsWarning>();
        nextVisit.WaitForAssertion(() => Assert.Single(nextVisit.FindAll("[data-testid=job-failure]"))); // still there on the next visit
        await home.Find("[data-testid=job-failure-handled]").ClickAsync(new());
        home.WaitForAssertion(() => Assert.Empty(home.FindAll("[data-testid=job-failure]")));
        Assert.Equal(0, await OpenFailuresAsync());
    }

    [Fact]
    public async Task After_a_database_error_the_closure_job_retries_soon_and_closes_the_complaints()
    {
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            await ClosureData.SeedAsync(conn, _clock.GetUtcNow(), 20);
        await using var sp = Services();
        await ReadOnlyDatabase.SetAsync(db, true, sp.GetRequiredService<NpgsqlDataSource>());
        var (server, client) = Hangfire(sp);
        using (server)
        {
            try
            {
                var id = client.Create(Job.FromExpression<ClosureJob>(j => j.RunAsync(CancellationToken.None)), new EnqueuedState());
                // The first run fails on the read-only database and is scheduled again (not left to the next ten-minute run).
                await Eventually.WaitAsync(() => JobStateAsync(id), s => s == ScheduledState.StateName, TimeSpan.FromMinutes(1), "the retry to be scheduled");
            }
            finally
            {
                await ReadOnlyDatabase.SetAsync(db, false, sp.GetRequiredService<NpgsqlDataSource>());
            }
            await Eventually.WaitAsync(ClosedAsync, n => n == 20, TimeSpan.FromMinutes(1), "the retry to close the complaints");
        }
        await using var check = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("SELECT count(*)::int FROM job_failures WHERE job_name LIKE 'ClosureJob%'"));
    }

    [Fact]
    public async Task A_sweep_that_steps_aside_for_another_holder_of_its_lock_says_so_in_the_log()
    {
        var logs = new ListLoggerProvider();
        await using var sp = Services(logs);
        await using var other = await db.DataSource.OpenConnectionAsync();
        await using var tx = await other.BeginTransactionAsync();
        await other.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = ClosureSweep.LockKey }, tx);
        await sp.GetRequiredService<ClosureJob>().RunAsync(CancellationToken.None);
        Assert.Contains(logs.Lines, l => l.Contains("stepped aside") && l.Contains("another session holds its lock"));
    }

    private async Task<int> OpenFailuresAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM job_failures WHERE handled_at IS NULL");
    }

    private async Task<int> ClosedAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id WHERE c.content = 'eligible' AND st.state = 'closed'");
    }

    private async Task<string?> JobStateAsync(string id)
    {
        await using var conn = new NpgsqlConnection(_jobStorage);
        await conn.OpenAsync();
        return await conn.ExecuteScalarAsync<string?>("SELECT statename FROM hangfire.job WHERE id = @id", new { id = long.Parse(id) });
    }

}

/// <summary>Hangfire's storage over the test database, one new connection each time.</summary>
public sealed class ConnectionFactory(string connectionString) : Hangfire.PostgreSql.IConnectionFactory
{
    public NpgsqlConnection GetOrCreateConnection() => new(connectionString);
}

/// <summary>Keeps every log line (category and formatted message) for a test to read.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
    public IReadOnlyList<string> Lines => [.. _lines];
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);
    public void Dispose() { }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}: {formatter(state, exception)}");
    }
}
