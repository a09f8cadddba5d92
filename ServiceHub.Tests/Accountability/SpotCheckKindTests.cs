using Dapper;
using Npgsql;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Accountability;

/// <summary>
/// The issue record sheet for every kind (issue #11 point 3): every registered contact — consultation, inquiry, complaint — has its sheet
/// number, and HR's draw samples sheets of all three kinds, each kind's share proportional to the period's sheets by default or as set.
/// Each test works in a month of its own.
/// </summary>
public sealed class SpotCheckKindTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private Actor _hr = default!;
    private SpotCheckRepository Repo => _s.Get<SpotCheckRepository>();
    protected override DateTimeOffset? Start => new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var hrId = await Build.UserAsync(_s, $"hr{Guid.NewGuid():N}"[..12], [Roles.Hr]);
        _hr = new Actor(hrId, "hr", "人力", [Roles.Hr], null);
    }

    private async Task<IntakeResult> RegisterAsync(string kind, int i, bool satisfied = true) => await _w.Intake.RegisterAsync(_w.Agent, new IntakeForm
    {
        Channel = Channels.Phone, Kind = kind, CustomerId = _w.CustomerId, Content = $"{kind} {i}",
        Answer = kind == ContactKinds.Complaint ? "" : "已当场答复", Satisfied = kind == ContactKinds.Consultation ? satisfied : null,
        DispatchDepartmentId = kind == ContactKinds.Complaint ? _w.DepartmentId : null, UrgencyMinutes = kind == ContactKinds.Complaint ? 60 : null,
    });

    private async Task MonthAsync(int month, int consultations, int inquiries, int complaints)
    {
        _s.Clock.SetUtcNow(new DateTimeOffset(2026, month, 10, 2, 0, 0, TimeSpan.Zero));
        for (var i = 0; i < consultations; i++) await RegisterAsync(ContactKinds.Consultation, i);
        for (var i = 0; i < inquiries; i++) await RegisterAsync(ContactKinds.Inquiry, i);
        for (var i = 0; i < complaints; i++) await RegisterAsync(ContactKinds.Complaint, i);
    }

    private async Task<Dictionary<string, int>> DrawnKindsAsync(string period) =>
        (await Repo.ItemsAsync(_hr, period)).GroupBy(i => i.Kind).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public async Task Every_registered_contact_has_its_sheet_in_one_yearly_sequence()
    {
        _s.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 10, 2, 0, 0, TimeSpan.Zero));
        var sheets = new List<string>();
        foreach (var kind in ContactKinds.All) sheets.Add((await RegisterAsync(kind, 0)).SheetNo!);
        var numbers = sheets.Select(s => int.Parse(s[^6..])).ToList();
        Assert.All(sheets, s => Assert.Matches(@"^FY-2026-\d{6}$", s));
        Assert.Equal([numbers[0], numbers[0] + 1, numbers[0] + 2], numbers);
        var complaint = (await _w.Intake.HistoryAsync(Actor.System, _w.CustomerId)).First(h => h.Kind == ContactKinds.Complaint);
        Assert.Equal(sheets[2], complaint.SheetNo);
        Assert.Equal(sheets[2], (await _w.Complaints.GetAsync(_w.Agent, complaint.ComplaintId!.Value))!.SheetNo);
    }

    [Fact]
    public async Task By_default_each_kind_is_drawn_in_proportion_to_the_months_sheets()
    {
        await MonthAsync(4, consultations: 10, inquiries: 5, complaints: 5);
        await Repo.DrawAsync(_hr, "2026-04", [new DrawShare(null, 8)], seed: 11);
        Assert.Equal(new Dictionary<string, int> { ["consultation"] = 4, ["inquiry"] = 2, ["complaint"] = 2 }, await DrawnKindsAsync("2026-04"));
        Assert.Equal(KindShares.Proportional, await KindSharesOfDrawsAsync("2026-04"));
    }

    [Fact]
    public async Task Configured_shares_decide_each_kinds_part_and_a_kind_without_a_share_is_never_drawn()
    {
        await MonthAsync(5, consultations: 10, inquiries: 5, complaints: 5);
        await Repo.SaveKindSharesAsync(_hr, new KindShares(50, 0, 50));
        Assert.Equal(new KindShares(50, 0, 50), await Repo.KindSharesAsync(_hr));
        await Repo.DrawAsync(_hr, "2026-05", [new DrawShare(null, 8)], seed: 5);
        Assert.Equal(new Dictionary<string, int> { ["consultation"] = 4, ["complaint"] = 4 }, await DrawnKindsAsync("2026-05"));
        Assert.Equal("50/0/50", await KindSharesOfDrawsAsync("2026-05"));

        // A kind that runs short is made up from the other kinds with a share: 6 more asked (3 + 3), one complaint is left, so
        // 5 consultations come (3 + 2 in its place); still no inquiry.
        await Repo.DrawAsync(_hr, "2026-05", [new DrawShare(null, 6)], seed: 6);
        Assert.Equal(new Dictionary<string, int> { ["consultation"] = 9, ["complaint"] = 5 }, await DrawnKindsAsync("2026-05"));

        await Repo.SaveKindSharesAsync(_hr, null);
        Assert.Null(await Repo.KindSharesAsync(_hr));
    }

    [Fact]
    public async Task Shares_outside_0_to_100_or_not_adding_up_to_100_are_refused_at_the_field()
    {
        Assert.Equal("SpotCheck.SharesTotal", (await Assert.ThrowsAsync<ValidationFailedException>(() => Repo.SaveKindSharesAsync(_hr, new KindShares(50, 30, 30)))).Errors["Shares"].Code);
        Assert.Equal("SpotCheck.ShareRange", (await Assert.ThrowsAsync<ValidationFailedException>(() => Repo.SaveKindSharesAsync(_hr, new KindShares(-10, 60, 50)))).Errors["Consultation"].Code);
        await Assert.ThrowsAsync<ForbiddenException>(() => Repo.SaveKindSharesAsync(_w.Agent, new KindShares(40, 20, 40)));
        Assert.Null(await Repo.KindSharesAsync(_hr));
    }

    [Fact]
    public async Task A_consultation_the_customer_was_not_satisfied_with_is_pre_filled_as_no_satisfactory_answer()
    {
        _s.Clock.SetUtcNow(new DateTimeOffset(2026, 6, 10, 2, 0, 0, TimeSpan.Zero));
        var r = await RegisterAsync(ContactKinds.Consultation, 0, satisfied: false);
        await Repo.DrawAsync(_hr, "2026-06", [new DrawShare(null, 5)], seed: 1);
        var item = Assert.Single(await Repo.ItemsAsync(_hr, "2026-06"));
        Assert.Equal((r.ContactId, r.SheetNo, ContactKinds.Consultation, (long?)null), (item.ContactId, item.SheetNo, item.Kind, item.ComplaintId));
        Assert.Equal([(Breaches.NoSatisfactoryAnswer, _w.Agent.Id)], (await Repo.SuggestAsync(_hr, item.Id)).Select(s => (s.Breach, s.PersonId)));
    }

    [Theory]
    [InlineData(8, 10, 5, 5, 4, 2, 2)]
    [InlineData(6, 1, 0, 10, 1, 0, 5)]
    [InlineData(10, 1, 1, 1, 4, 3, 3)]
    [InlineData(5, 0, 0, 0, 0, 0, 0)]
    public void The_size_is_split_by_the_largest_remainder_and_adds_up(int size, long c, long i, long p, int ec, int ei, int ep)
    {
        var parts = SampleSplit.Split(size, new Dictionary<string, long> { ["consultation"] = c, ["inquiry"] = i, ["complaint"] = p });
        Assert.Equal((ec, ei, ep), (parts["consultation"], parts["inquiry"], parts["complaint"]));
    }

    private async Task<string> KindSharesOfDrawsAsync(string period)
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        return string.Join(",", (await conn.QueryAsync<string>("SELECT DISTINCT kind_shares FROM spot_check_draws WHERE period = @period", new { period })).Order());
    }
}
