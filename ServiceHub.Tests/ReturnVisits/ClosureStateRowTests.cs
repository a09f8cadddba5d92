using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;
using ServiceHub.Tests.Reports;

namespace ServiceHub.Tests.ReturnVisits;

/// <summary>
/// The closures write a complaint's narrow state row only (sql/0310, issue #14 point 4): the wide complaint row keeps its version and
/// its place, so a closure of 50,000 writes no wide row and no entry in its indexes; the KPI rollup's "closed" moves with the state row.
/// </summary>
public sealed class ClosureStateRowTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    private Task<string> RowVersionAsync(string table, string key, long id) =>
        Scalar<string>($"SELECT xmin::text || ' ' || ctid::text FROM {table} WHERE {key} = @id", new { id });

    [Fact]
    public async Task The_one_week_closure_changes_the_state_row_and_leaves_the_complaint_row_untouched()
    {
        var id = await _w.HandledComplaintAsync(needsReturnVisit: false);
        var wide = await RowVersionAsync("complaints", "id", id);
        var narrow = await RowVersionAsync("complaint_states", "complaint_id", id);

        _s.Clock.Advance(TimeSpan.FromDays(7));
        await _w.Sweep.RunAsync();

        var c = await _w.ComplaintAsync(id);
        Assert.Equal((ComplaintStates.Closed, CloseReasons.AutoOneWeek), (c.State, c.CloseReason));
        Assert.Equal(wide, await RowVersionAsync("complaints", "id", id));
        Assert.NotEqual(narrow, await RowVersionAsync("complaint_states", "complaint_id", id));
    }

    [Fact]
    public async Task A_complaint_reopened_at_the_desk_while_the_sweep_closes_the_week_stays_open()
    {
        var id = await _w.HandledComplaintAsync(needsReturnVisit: false);
        _s.Clock.Advance(TimeSpan.FromDays(8));

        // The desk's change, not yet committed: the complaint locked as the lifecycle locks it (both rows), its state row back to
        // contacted (a reopening).
        await using var desk = new NpgsqlConnection(Db.ConnectionString);
        await desk.OpenAsync();
        await using var reopening = await desk.BeginTransactionAsync();
        var deskPid = await desk.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: reopening);
        await desk.ExecuteAsync("SELECT 1 FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id WHERE c.id = @id FOR NO KEY UPDATE",
            new { id }, reopening);
        await desk.ExecuteAsync("UPDATE complaint_states SET state = 'contacted' WHERE complaint_id = @id", new { id }, reopening);

        // The sweep found it handled a week ago; it waits for the desk, then leaves the reopened complaint alone.
        var sweep = _w.Sweep.RunAsync();
        await Locks.WaitForWaiterAsync(Db.ConnectionString, deskPid, sweep, "the sweep to wait for the desk's change");
        Assert.False(sweep.IsCompleted);
        await reopening.CommitAsync();
        var result = await sweep;

        Assert.Equal(0, result.ClosedOneWeek);
        var c = await _w.ComplaintAsync(id);
        Assert.Equal((ComplaintStates.Contacted, (string?)null), (c.State, c.CloseReason));
        Assert.DoesNotContain(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == ComplaintEvents.Closed);
    }

    [Fact]
    public async Task The_rollup_after_closures_and_a_reclassification_of_a_closed_complaint_is_the_rollup_rebuilt_from_the_rows()
    {
        var closedByTheWeek = await _w.HandledComplaintAsync(needsReturnVisit: false);
        var visited = await _w.HandledComplaintAsync(needsReturnVisit: true);
        var counting = _s.Get<CountingRepository>();
        await counting.VerifyAsync(_w.Supervisor, closedByTheWeek, true, null);
        await counting.VerifyAsync(_w.Supervisor, visited, true, null);
        _s.Clock.Advance(TimeSpan.FromDays(7));
        await _w.Sweep.RunAsync();
        await _w.Visits.RecordAttemptAsync(_w.Visitor, await _w.TaskOfAsync(visited), new AttemptForm { Result = AttemptResults.Reached, Outcome = Outcomes.Satisfied });
        Assert.Equal(ComplaintStates.Closed, (await _w.ComplaintAsync(visited)).State);
        // A closed complaint's root cause changed (whoever writes the column): its "closed" moves to the new key with the copy on its
        // state row, in the same statement.
        await _w.ExecuteAsync("UPDATE complaints SET root_cause_id = (SELECT max(id) FROM root_causes WHERE parent_id IS NOT NULL) WHERE id = @id",
            new { id = closedByTheWeek });

        var kept = await Scalar<string>(RollupText.Sql);
        Assert.Equal(2, await Scalar<int>("SELECT sum(closed)::int FROM kpi_complaint_rollup WHERE project_id = @p", new { p = _w.W.ProjectId }));
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("SELECT kpi_rebuild_complaints()", transaction: tx);
        Assert.Equal(await conn.ExecuteScalarAsync<string>(RollupText.Sql, transaction: tx), kept);
        await tx.RollbackAsync();
    }
}
