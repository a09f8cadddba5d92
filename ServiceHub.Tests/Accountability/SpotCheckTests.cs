using Dapper;
using Npgsql;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Accountability;

public sealed class SpotCheckTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private Actor _hr = default!;
    private SpotCheckRepository Repo => _s.Get<SpotCheckRepository>();
    private const string Period = "2026-11";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var hrId = await Build.UserAsync(_s, $"hr{Guid.NewGuid():N}"[..12], [Roles.Hr]);
        _hr = new Actor(hrId, "hr", "人力", [Roles.Hr], null);
    }

    [Fact]
    public async Task The_same_seed_over_the_same_sheets_draws_the_same_sample()
    {
        async Task<List<long>> DrawInFreshDatabaseAsync()
        {
            var cs = await TestServer.CreateDatabaseAsync("draw");
            try
            {
                await using var s = new TestServices(cs);
                var w = await ComplaintWorld.CreateAsync(s);
                for (var i = 0; i < 30; i++) await w.RegisterComplaintAsync(content: $"样本 {i}");
                var hr = new Actor(await Build.UserAsync(s, "hrx", [Roles.Hr]), "hrx", "hrx", [Roles.Hr], null);
                await s.Get<SpotCheckRepository>().DrawAsync(hr, Period, [new DrawShare(null, 8)], seed: 20261126);
                return (await s.Get<SpotCheckRepository>().ItemsAsync(hr, Period)).Select(i => i.ContactId).ToList();
            }
            finally
            {
                await TestServer.DropDatabaseAsync(cs);
            }
        }

        var first = await DrawInFreshDatabaseAsync();
        var second = await DrawInFreshDatabaseAsync();
        Assert.Equal(8, first.Count);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task A_period_never_samples_the_same_sheet_twice()
    {
        var ids = new List<long>();
        for (var i = 0; i < 12; i++) ids.Add(await _w.RegisterComplaintAsync(content: $"不重复 {i}"));
        await Repo.DrawAsync(_hr, Period, [new DrawShare(_w.DepartmentId, 5)], seed: 1);
        await Repo.DrawAsync(_hr, Period, [new DrawShare(_w.DepartmentId, 5)], seed: 1);
        await Repo.DrawAsync(_hr, Period, [new DrawShare(_w.DepartmentId, 5)], seed: 2);
        var sampled = (await Repo.ItemsAsync(_hr, Period)).Where(i => i.ComplaintId is { } c && ids.Contains(c)).Select(i => i.ComplaintId).ToList();
        Assert.Equal(12, sampled.Count);
        Assert.Equal(sampled.Count, sampled.Distinct().Count());
    }

    [Fact]
    public async Task Only_HR_draws_and_a_bad_period_or_size_is_refused_at_the_field()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => Repo.DrawAsync(_w.Agent, Period, [new DrawShare(null, 5)]));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Repo.DrawAsync(_hr, "2026-13", [new DrawShare(null, 0)]));
        Assert.Equal("SpotCheck.PeriodInvalid", ex.Errors["Period"].Code);
        Assert.Equal("SpotCheck.SizeInvalid", ex.Errors["Size"].Code);
    }

    [Theory]
    [InlineData(Breaches.ResultNotRecorded, 49, false)]
    [InlineData(Breaches.ResultNotRecorded, 50, true)]
    [InlineData(Breaches.NoSatisfactoryAnswer, 100, true)]
    [InlineData(Breaches.NoSatisfactoryAnswer, 101, false)]
    [InlineData(Breaches.Shirking, 99, false)]
    [InlineData(Breaches.UncivilLanguage, 500, true)]
    [InlineData(Breaches.Quarrelling, 501, false)]
    [InlineData(Breaches.LateHandover, 100, true)]
    public async Task A_penalty_outside_the_manuals_range_is_refused(string breach, int amount, bool accepted)
    {
        await _w.RegisterComplaintAsync(content: $"罚款 {breach} {amount}");
        await Repo.DrawAsync(_hr, Period, [new DrawShare(null, 50)], seed: 7);
        var item = (await Repo.ItemsAsync(_hr, Period)).First();
        if (accepted)
        {
            var id = await Repo.ProposeAsync(_hr, item.Id, item.FirstResponderId, breach, amount, "抽查发现");
            Assert.Contains(await Repo.PenaltiesAsync(_hr, Period), p => p.Id == id && p.Amount == amount);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Repo.ProposeAsync(_hr, item.Id, item.FirstResponderId, breach, amount, "抽查发现"));
            Assert.Equal("Penalty.OutOfRange", ex.Errors["Amount"].Code);
            await using var conn = new NpgsqlConnection(Db.ConnectionString);
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM penalties WHERE amount = @amount AND breach = @breach", new { amount, breach }));
        }
    }

    [Fact]
    public void The_database_refuses_an_out_of_range_amount_too()
    {
        Assert.False(Breaches.InRange(Breaches.Shirking, 600));
        Assert.Equal((50m, 100m), Breaches.Range(Breaches.ResultNotRecorded));
        Assert.Equal((100m, 500m), Breaches.Range(Breaches.LateHandover));
    }

    private static SpotCheckRepository.SheetFacts Sheet(DateTimeOffset t0) => new(
        "handled", t0, t0.AddMinutes(5), t0.AddMinutes(35), t0.AddMinutes(20), t0.AddHours(48), t0.AddHours(3), [], [], null, null, 1, "座席", 2, "处理人");

    [Fact]
    public void A_well_handled_sheet_suggests_nothing()
    {
        var t0 = new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);
        Assert.Empty(SpotCheckRepository.Suggest(Sheet(t0), t0.AddDays(5)));
    }

    [Fact]
    public void Crafted_sheets_pre_fill_the_breaches_the_system_can_see()
    {
        var t0 = new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);
        var late = Sheet(t0) with { DispatchedAt = t0.AddMinutes(45) };
        Assert.Equal([(Breaches.LateHandover, 1)], SpotCheckRepository.Suggest(late, t0.AddDays(5)).Select(s => (s.Breach, s.PersonId)));

        var rude = Sheet(t0) with { ReplyForbiddenPhrases = ["大点声，听不见！"] };
        Assert.Equal([(Breaches.UncivilLanguage, 2)], SpotCheckRepository.Suggest(rude, t0.AddDays(5)).Select(s => (s.Breach, s.PersonId)));

        var unrecorded = Sheet(t0) with { State = "contacted", HandledAt = null };
        Assert.Equal([(Breaches.ResultNotRecorded, 1)], SpotCheckRepository.Suggest(unrecorded, t0.AddDays(3)).Select(s => (s.Breach, s.PersonId)));

        var slow = Sheet(t0) with { ContactedAt = t0.AddMinutes(50) };
        Assert.Equal([(Breaches.UnjustifiedDelay, 2)], SpotCheckRepository.Suggest(slow, t0.AddDays(5)).Select(s => (s.Breach, s.PersonId)));
    }

    [Fact]
    public async Task Pre_fill_reads_the_real_sheet()
    {
        var id = await _w.RegisterComplaintAsync(dispatch: false, content: "延迟派发的记录单");
        _s.Clock.Advance(TimeSpan.FromMinutes(40));
        await _w.Lifecycle.DispatchAsync(_w.Agent, id, _w.DepartmentId, 30);
        await Repo.DrawAsync(_hr, Period, [new DrawShare(_w.DepartmentId, 100)], seed: 3);
        var item = (await Repo.ItemsAsync(_hr, Period)).Single(i => i.ComplaintId == id);
        var suggestions = await Repo.SuggestAsync(_hr, item.Id);
        Assert.Contains(suggestions, s => s.Breach == Breaches.LateHandover && s.PersonId == _w.Agent.Id);
    }

    [Fact]
    public async Task The_manager_contests_HR_confirms_and_the_ledger_counts_confirmed_amounts_per_person()
    {
        // The penalty concerns the department's handler, so the department manager may contest it.
        await _w.RegisterComplaintAsync(content: "台账");
        await Repo.DrawAsync(_hr, Period, [new DrawShare(_w.DepartmentId, 100)], seed: 9);
        var item = (await Repo.ItemsAsync(_hr, Period)).First();
        var a = await Repo.ProposeAsync(_hr, item.Id, _w.Handler.Id, Breaches.UnjustifiedDelay, 200, "联系超时");
        var b = await Repo.ProposeAsync(_hr, item.Id, _w.Handler.Id, Breaches.UncivilLanguage, 150, "用语不当");

        await Assert.ThrowsAsync<ForbiddenException>(() => Repo.ContestAsync(new Actor(_w.OtherHandler.Id, "x", "x", [Roles.DeptManager], _w.OtherDepartmentId), a, "不同意"));
        await Repo.ContestAsync(_w.Manager, a, "客户当时关机，已多次拨打");
        await Repo.DecideAsync(_hr, a, confirm: false);
        await Repo.DecideAsync(_hr, b, confirm: true);
        await Assert.ThrowsAsync<DomainException>(() => Repo.DecideAsync(_hr, b, confirm: false));

        var ledger = SpotCheckRepository.Ledger(await Repo.PenaltiesAsync(_hr, Period));
        var row = ledger.Single(r => r.PersonId == _w.Handler.Id);
        Assert.Equal((1, 150m, 0m), (row.Entries, row.Confirmed, row.Pending));

        // The person concerned sees their own entries, and a colleague elsewhere sees none of them.
        Assert.All(await Repo.PenaltiesAsync(_w.Handler, Period), p => Assert.Equal(_w.Handler.Id, p.PersonId));
        Assert.Equal(2, (await Repo.MineAsync(_w.Handler)).Count);
        Assert.DoesNotContain(await Repo.PenaltiesAsync(_w.OtherHandler, Period), p => p.PersonId == _w.Handler.Id);
    }
}
