using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Jobs.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

// Shares the collection's app: its complaint and return visit are its own; it moves the clock two hours.
[Collection(AppCollection.Name)]
public sealed class ReminderJobTests(AppFactory app)
{
    [Fact]
    public async Task A_call_back_request_schedules_a_hangfire_delayed_job_that_reminds_the_assignee_once()
    {
        var (_, taskId) = await DemoComplaints.HandledWithReturnVisitAsync(app);
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        var visitor = await DemoComplaints.DemoActorAsync(conn, "returnvisit");
        Assert.IsType<HangfireReminderScheduler>(app.Get<IReminderScheduler>());
        var at = app.Clock.GetUtcNow().AddHours(2);
        var r = await app.Get<ReturnVisitRepository>().RecordAttemptAsync(visitor, taskId, new AttemptForm { Result = AttemptResults.CallBack, CallbackAt = at });

        var job = await conn.QuerySingleAsync<(string State, string Invocation)>(
            "SELECT statename, invocationdata::text FROM hangfire.job WHERE invocationdata::text LIKE '%CallbackReminderJob%' ORDER BY id DESC LIMIT 1");
        Assert.Equal("Scheduled", job.State);
        Assert.Contains(r.ReminderId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), job.Invocation);

        // The job at the requested time (the clock moved), run twice: one notification.
        app.Clock.Advance(TimeSpan.FromHours(2));
        var reminder = ActivatorUtilities.CreateInstance<CallbackReminderJob>(app.Services);
        await reminder.RunAsync(r.ReminderId.Value, CancellationToken.None);
        await reminder.RunAsync(r.ReminderId.Value, CancellationToken.None);
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM notifications WHERE user_id = @id AND message_key = 'ReturnVisit.Notify.CallBack'", new { id = visitor.Id }));
    }
}
