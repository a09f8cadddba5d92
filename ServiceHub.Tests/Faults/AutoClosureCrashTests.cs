using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Faults;

/// <summary>
/// Issue #16 point 1: the real closure job, run by the real app in a child process against a real database, killed with SIGKILL
/// in the middle of the one-week auto-closure of 50,000 eligible complaints. After a restart and one more run every eligible
/// complaint is closed exactly once (one closure event each) and nothing that was not eligible is touched.
/// </summary>
[Trait("Category", "faults")]
public sealed class AutoClosureCrashTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private const int Eligible = 50_000;

    [Fact]
    public async Task Killed_in_the_middle_of_the_auto_closure_a_restart_closes_every_eligible_complaint_exactly_once_and_nothing_else()
    {
        // The child is the production binary on the system clock, so the data is laid out around the real now (the one-week
        // cut-off is a fixed seven days, no calendar: the day the test runs changes nothing).
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(now);
        var before = await IneligibleFingerprintAsync();

        // A person has one eligible complaint (two thirds of the way along) open for editing: the sweep's batch that reaches it
        // waits for that row lock — so the child is, for certain, in the middle of its work when it is killed.
        await using var holder = await db.DataSource.OpenConnectionAsync();
        await using var held = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("""
            SELECT 1 FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id
            WHERE c.id = (SELECT id FROM complaints WHERE content = 'eligible' ORDER BY id OFFSET @at LIMIT 1) FOR UPDATE
            """, new { at = Eligible * 2 / 3 }, held);
        var holderPid = await holder.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: held);

        var settings = new Dictionary<string, string> { ["ReturnVisits__Closure__BatchSize"] = "2000" };
        const string firstRun = "sh-fault-closure-1";
        await using (var first = ChildProcess.StartApp(db.ConnectionString, firstRun, settings, "job", ClosureJob))
        {
            await Eventually.WaitAsync(() => BlockedByAsync(firstRun, holderPid), blocked => blocked || first.HasExited,
                TimeSpan.FromMinutes(3), "the closure job to reach the locked complaint");
            Assert.False(first.HasExited, first.Output);
            var closedAtKill = await ClosedAsync();
            Assert.InRange(closedAtKill, 2000, Eligible - 2000); // some batches committed, some not: really the middle
            await first.KillAsync();
            await held.RollbackAsync();
            // The killed client's session ends on the server once its statement notices the dead socket; until then it holds the
            // sweep's lock (a run started now would step aside).
            await Eventually.WaitAsync(() => SessionsAsync(firstRun), n => n == 0, TimeSpan.FromMinutes(1), "the killed session to end");
            Assert.Equal(closedAtKill, await ClosedAsync()); // the batch in flight was rolled back whole
        }

        await using (var second = ChildProcess.StartApp(db.ConnectionString, "sh-fault-closure-2", settings, "job", ClosureJob))
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromMinutes(3)));

        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(Eligible, await ClosedAsync());
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*)::int FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id WHERE c.content = 'eligible' AND st.state <> 'closed'"));
        var events = (await conn.QueryAsync<(long Id, int N)>("""
            SELECT c.id, count(e.*)::int FROM complaints c
            LEFT JOIN complaint_events e ON e.complaint_id = c.id AND e.kind = 'closed'
            WHERE c.content = 'eligible' GROUP BY c.id
            """)).ToList();
        Assert.Equal(Eligible, events.Count);
        Assert.All(events, e => Assert.Equal(1, e.N));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("""
            SELECT count(*)::int FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id WHERE c.content <> 'eligible' AND e.kind = 'closed'
            """));
        Assert.Equal(before, await IneligibleFingerprintAsync());
    }

    private const string ClosureJob = ServiceHub.Jobs.ReturnVisits.ClosureJob.Id;

    private async Task<int> ClosedAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>($"SELECT count(*)::int FROM complaint_states WHERE state = 'closed' AND close_reason = '{CloseReasons.AutoOneWeek}'");
    }

    /// <summary>
    /// The child waits for the held complaint's lock — not for any lock (a moment's wait during its start-up, or on a relation's
    /// extension under load, is not the middle of the sweep).
    /// </summary>
    private async Task<bool> BlockedByAsync(string applicationName, int holderPid)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = @applicationName AND @holderPid = ANY (pg_blocking_pids(pid)))",
            new { applicationName, holderPid });
    }

    private async Task<int> SessionsAsync(string applicationName)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = @applicationName", new { applicationName });
    }

    /// <summary>Every column of every complaint that was not eligible and of its state row, hashed: equal before and after means none was touched.</summary>
    private async Task<string> IneligibleFingerprintAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("""
            SELECT count(*) || ':' || md5(string_agg(c::text || st::text, '|' ORDER BY c.id))
            FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id WHERE c.content <> 'eligible'
            """) ?? "";
    }

    private async Task SeedAsync(DateTimeOffset now)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await ClosureData.SeedAsync(conn, now, Eligible);
        var cutoff = Closure.AutoCloseCutoff(now);
        Assert.True(cutoff > now.AddDays(-8) && cutoff < now.AddDays(-2));
    }
}
