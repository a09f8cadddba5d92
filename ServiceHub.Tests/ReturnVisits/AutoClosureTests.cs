using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Reports;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

public sealed class AutoClosureTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{

    [Fact]
    public void The_one_week_rule_as_a_function()
    {
        var handled = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(handled.AddDays(7), Closure.AutoCloseAt(handled));
        Assert.True(Closure.RepeatReopens(handled, handled.AddDays(7).AddSeconds(-1)));
        Assert.False(Closure.RepeatReopens(handled, handled.AddDays(7)));
    }

    [Fact]
    public async Task A_complaint_handled_without_a_return_visit_closes_after_seven_days_and_not_at_six_days_23_hours()
    {
        var id = await _w.HandledComplaintAsync(needsReturnVisit: false);
        var handledAt = _s.Clock.GetUtcNow();
        _s.Clock.Advance(TimeSpan.FromDays(6) + TimeSpan.FromHours(23));
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Handled, (await _w.ComplaintAsync(id)).State);

        _s.Clock.Advance(TimeSpan.FromHours(1));
        await _w.Sweep.RunAsync();
        var c = await _w.ComplaintAsync(id);
        Assert.Equal((ComplaintStates.Closed, CloseReasons.AutoOneWeek, handledAt.AddDays(7)), (c.State, c.CloseReason, c.ClosedAt!.Value));
        Assert.Single(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == "closed" && e.Details == CloseReasons.AutoOneWeek);
    }

    [Fact]
    public async Task A_complaint_that_needs_a_return_visit_is_not_closed_by_the_clock()
    {
        var id = await _w.HandledComplaintAsync(needsReturnVisit: true);
        _s.Clock.Advance(TimeSpan.FromDays(30));
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Handled, (await _w.ComplaintAsync(id)).State);
    }

    [Fact]
    public async Task A_complaint_without_a_root_cause_is_not_closed_and_is_counted_as_awaiting_classification()
    {
        var id = await _w.HandledComplaintAsync(needsReturnVisit: false, classified: false);
        _s.Clock.Advance(TimeSpan.FromDays(8));
        var r = await _w.Sweep.RunAsync();
        Assert.True(r.AwaitingClassification >= 1);
        Assert.Equal(ComplaintStates.Handled, (await _w.ComplaintAsync(id)).State);
        await _w.ClassifyAsync(id);
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Closed, (await _w.ComplaintAsync(id)).State);
    }

    [Fact]
    public async Task A_repeat_complaint_inside_the_week_reopens_the_original_and_prevents_its_closure()
    {
        var original = await _w.HandledComplaintAsync(needsReturnVisit: false);
        _s.Clock.Advance(TimeSpan.FromDays(3));
        var candidate = Assert.Single(await _s.Get<RepeatComplaints>().CandidatesAsync(_w.W.Agent, _w.W.CustomerId), c => c.Id == original);
        Assert.True(candidate.Reopens);
        var form = _w.W.ComplaintForm("上次的漏水又出现了");
        form.RepeatOfComplaintId = original;
        var repeat = (await _w.W.Intake.RegisterAsync(_w.W.Agent, form)).ComplaintId!.Value;
        Assert.Equal(original, await _w.ScalarAsync<long>("SELECT repeat_of_complaint_id FROM complaints WHERE id = @repeat", new { repeat }));
        var c = await _w.ComplaintAsync(original);
        Assert.Equal(ComplaintStates.Contacted, c.State);
        Assert.Equal(_s.Clock.GetUtcNow().AddHours(48), c.ReplyDueAt);
        Assert.Contains(await _w.Complaints.TimelineAsync(Actor.System, original), e => e.Kind == ComplaintEvents.Reopened && e.Details.Contains("上次的漏水又出现了"));

        _s.Clock.Advance(TimeSpan.FromDays(5)); // 8 days after the first handling
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Contacted, (await _w.ComplaintAsync(original)).State);
    }

    [Fact]
    public async Task The_sweep_never_closes_a_handled_complaint_that_has_a_repeat_complaint_inside_the_week()
    {
        // Even if the reopen did not happen (e.g. data from before this feature), a repeat inside the week stops the clock.
        var original = await _w.HandledComplaintAsync(needsReturnVisit: false);
        var repeat = await _w.W.RegisterComplaintAsync();
        await _w.ScalarAsync<int>("UPDATE complaints SET repeat_of_complaint_id = @original WHERE id = @repeat RETURNING 1", new { original, repeat });
        _s.Clock.Advance(TimeSpan.FromDays(8));
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Handled, (await _w.ComplaintAsync(original)).State);
    }

    [Fact]
    public async Task A_repeat_complaint_after_the_week_or_of_another_customer_does_not_reopen()
    {
        var original = await _w.HandledComplaintAsync(needsReturnVisit: false);
        _s.Clock.Advance(TimeSpan.FromDays(8));
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Closed, (await _w.ComplaintAsync(original)).State);
        var form = _w.W.ComplaintForm("又漏水了");
        form.RepeatOfComplaintId = original;
        await _w.W.Intake.RegisterAsync(_w.W.Agent, form);
        Assert.Equal(ComplaintStates.Closed, (await _w.ComplaintAsync(original)).State);

        var other = await Build.CustomerAsync(_s, "李先生", "13911112222");
        var otherForm = _w.W.ComplaintForm("别人的投诉");
        otherForm.CustomerId = other;
        otherForm.UnitId = null;
        otherForm.RepeatOfComplaintId = original;
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.W.Intake.RegisterAsync(_w.W.Agent, otherForm));
        Assert.Equal("ReturnVisit.RepeatNotSameCustomer", ex.Errors["RepeatOfComplaintId"].Code);
    }

    private async Task<IntakeResult> RepeatAsync(long original, string content)
    {
        var form = _w.W.ComplaintForm(content);
        form.RepeatOfComplaintId = original;
        return await _w.W.Intake.RegisterAsync(_w.W.Agent, form);
    }

    private async Task<StatisticsResult> CountAsync(DateTimeOffset from)
    {
        var supervisor = _w.Supervisor;
        foreach (var id in await _w.ScalarListAsync<long>("SELECT id FROM complaints WHERE counted IS NULL AND merged_into_id IS NULL"))
            await _s.Get<CountingRepository>().VerifyAsync(supervisor, id, true, null);
        return await _s.Get<ComplaintStatistics>().CountAsync(Actor.System, new StatisticsQuery(from, _s.Clock.GetUtcNow().AddMinutes(1), StatisticsDimension.Channel,
            ProjectId: _w.W.ProjectId));
    }

    [Fact]
    public async Task A_repeat_on_day_6_reopens_the_original_is_counted_once_with_the_sweep_and_the_original_stays_open()
    {
        var from = _s.Clock.GetUtcNow();
        var original = await _w.HandledComplaintAsync(needsReturnVisit: false);
        _s.Clock.Advance(TimeSpan.FromDays(6));
        var repeat = await RepeatAsync(original, "六天后又漏水了");

        // Counting rule 3: the same complaint raised again — one of the original's voices, counted once, not dispatched again.
        Assert.Equal(original, repeat.AttachedToComplaintId);
        Assert.Equal(original, await _w.ScalarAsync<long?>("SELECT merged_into_id FROM complaints WHERE id = @id", new { id = repeat.ComplaintId }));
        Assert.Equal(ComplaintStates.Contacted, (await _w.ComplaintAsync(original)).State);
        var counted = await CountAsync(from);
        Assert.Equal((1, 2), (counted.Counted, counted.Times));
        var leader = new Actor(_w.W.VpId, "vp", "领导", [Roles.Leadership], null);
        var kpi = await _s.Get<KpiService>().FiguresAsync(leader, new KpiQuery(from, _s.Clock.GetUtcNow().AddMinutes(1), _w.W.DepartmentId));
        Assert.Equal((1, 1), (kpi.Complaints, kpi.Repeat));

        _s.Clock.Advance(TimeSpan.FromDays(2)); // day 8
        await _w.Sweep.RunAsync();
        Assert.Equal(ComplaintStates.Contacted, (await _w.ComplaintAsync(original)).State);
        Assert.Null((await _w.ComplaintAsync(repeat.ComplaintId!.Value)).CurrentDueAt); // handled through the original
    }

    [Fact]
    public async Task A_repeat_on_day_8_is_a_complaint_of_its_own_and_never_blocks_the_originals_closure()
    {
        var from = _s.Clock.GetUtcNow();
        // Not classified in the week, so the sweep could not close it then; the owner complains again on day 8.
        var original = await _w.HandledComplaintAsync(needsReturnVisit: false, classified: false);
        _s.Clock.Advance(TimeSpan.FromDays(7));
        await _w.Sweep.RunAsync();
        _s.Clock.Advance(TimeSpan.FromDays(1));
        var repeat = await RepeatAsync(original, "八天后又漏水了");
        Assert.Null(repeat.AttachedToComplaintId);
        Assert.Equal(ComplaintStates.Handled, (await _w.ComplaintAsync(original)).State);
        Assert.Equal(ComplaintStates.Dispatched, (await _w.ComplaintAsync(repeat.ComplaintId!.Value)).State);

        await _w.ClassifyAsync(original);
        await _w.Sweep.RunAsync();
        var c = await _w.ComplaintAsync(original);
        Assert.Equal((ComplaintStates.Closed, CloseReasons.AutoOneWeek), (c.State, c.CloseReason));
        Assert.Equal(2, (await CountAsync(from)).Counted);
    }

    private async Task<long[]> HandledWithoutVisitAsync(int n)
    {
        var ids = new long[n];
        for (var i = 0; i < n; i++) ids[i] = await _w.HandledComplaintAsync(needsReturnVisit: false);
        return ids;
    }

    [Fact]
    public async Task Running_the_sweep_twice_closes_nothing_twice()
    {
        var ids = await HandledWithoutVisitAsync(3);
        _s.Clock.Advance(TimeSpan.FromDays(7));
        var first = await _w.Sweep.RunAsync();
        var second = await _w.Sweep.RunAsync();
        Assert.True(first.ClosedOneWeek >= 3);
        Assert.Equal(0, second.ClosedOneWeek);
        Assert.Equal(3, await _w.ScalarAsync<int>("SELECT count(*) FROM complaint_events WHERE kind = 'closed' AND complaint_id = ANY (@ids)", new { ids }));
    }

    [Fact]
    public async Task Two_sweeps_in_parallel_close_each_complaint_exactly_once()
    {
        var ids = await HandledWithoutVisitAsync(6);
        await using var other = new TestServices(Db.ConnectionString, _s.Clock.GetUtcNow());
        _s.Clock.Advance(TimeSpan.FromDays(7));
        other.Clock.Advance(TimeSpan.FromDays(7).Add(TimeSpan.FromSeconds(1)));
        var results = await Task.WhenAll(
            Task.Run(() => _w.Sweep.RunAsync()), Task.Run(() => other.Get<ClosureSweep>().RunAsync()),
            Task.Run(() => _w.Sweep.RunAsync()), Task.Run(() => other.Get<ClosureSweep>().RunAsync()));
        Assert.Equal(6, await _w.ScalarAsync<int>("SELECT count(*) FROM complaint_states WHERE state = 'closed' AND complaint_id = ANY (@ids)", new { ids }));
        Assert.Equal(6, await _w.ScalarAsync<int>("SELECT count(*) FROM complaint_events WHERE kind = 'closed' AND complaint_id = ANY (@ids)", new { ids }));
        Assert.True(results.Sum(r => r.ClosedOneWeek) >= 6);
    }

    [Fact]
    public async Task A_sweep_interrupted_by_a_rollback_loses_nothing_and_the_next_run_closes_the_rest()
    {
        var ids = await HandledWithoutVisitAsync(3);
        _s.Clock.Advance(TimeSpan.FromDays(7));
        // A server that died in the middle of a batch: its transaction is rolled back, nothing of it stays.
        await using (var conn = await _s.Get<NpgsqlDataSource>().OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await using var cmd = new NpgsqlCommand(ComplaintLifecycle.AutoCloseSql, conn, tx);
            cmd.Parameters.AddWithValue("now", _s.Clock.GetUtcNow());
            cmd.Parameters.AddWithValue("cutoff", Closure.AutoCloseCutoff(_s.Clock.GetUtcNow()));
            cmd.Parameters.AddWithValue("batch", 1);
            Assert.Equal(1, (int)(await cmd.ExecuteScalarAsync())!);
            await tx.RollbackAsync();
        }
        Assert.Equal(0, await _w.ScalarAsync<int>("SELECT count(*) FROM complaint_events WHERE kind = 'closed' AND complaint_id = ANY (@ids)", new { ids }));
        await _w.Sweep.RunAsync();
        Assert.Equal(3, await _w.ScalarAsync<int>("SELECT count(*) FROM complaint_states WHERE state = 'closed' AND complaint_id = ANY (@ids)", new { ids }));
        Assert.Equal(3, await _w.ScalarAsync<int>("SELECT count(*) FROM complaint_events WHERE kind = 'closed' AND complaint_id = ANY (@ids)", new { ids }));
    }
}
