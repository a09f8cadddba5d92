using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

/// <summary>
/// The demo company with its history played once, until the test clock's start (<see cref="TestClock.Start"/>), the progress heard on
/// the way. The world's clock stands there afterwards.
/// </summary>
public sealed class DemoHistoryWorld : World<DemoHistoryWorld>
{
    public IReadOnlyList<string> Refused { get; private set; } = [];
    public List<DemoHistoryProgress> Progress { get; } = [];

    protected override bool SeedsDemo => true;

    protected override async Task SetUpAsync()
    {
        await S.Demo().SeedAsync();
        Refused = await new DemoHistory(ConnectionString, NullLogger.Instance).SeedAsync(Start, progress: new Collect(Progress));
    }

    private sealed class Collect(List<DemoHistoryProgress> into) : IProgress<DemoHistoryProgress>
    {
        public void Report(DemoHistoryProgress value) => into.Add(value);
    }
}

/// <summary>
/// The demo history is played once (about a minute, the longest set-up) for every class that reads it. Slow: the collection starts first
/// (<see cref="LongestFirst"/>), and its classes carry the trait too, so <c>--filter "Category!=Slow"</c> leaves them out of a quick run.
/// </summary>
[CollectionDefinition(Name)]
[Trait("Category", "Slow")]
public sealed class DemoHistoryCollection : ICollectionFixture<DemoHistoryWorld>
{
    public const string Name = "demo history";
}

/// <summary>The demo company's history is played through the real rules: nothing refused, every stage of the lifecycle present.</summary>
[Collection(DemoHistoryCollection.Name)]
[Trait("Category", "Slow")]
public sealed class DemoHistoryTests(DemoHistoryWorld demo)
{
    [Fact]
    public async Task The_demo_history_plays_without_a_refused_step_and_shows_every_stage()
    {
        var until = TestClock.Start;
        var refused = demo.Refused;

        Assert.Empty(refused);
        await using var conn = new NpgsqlConnection(demo.ConnectionString);
        var f = await conn.QuerySingleAsync<(long Y2025, long Y2026, long Closed, long Escalated, long Merged, long NotCounted, long Extended, long Open, long Emergencies, long Consultations, long Unread)>("""
            SELECT (SELECT count(*) FROM complaints WHERE registered_at < '2026-01-01+08'),
                   (SELECT count(*) FROM complaints WHERE registered_at >= '2026-01-01+08'),
                   (SELECT count(*) FROM complaint_states WHERE state = 'closed'),
                   (SELECT count(*) FROM complaints WHERE escalation_level > 0),
                   (SELECT count(*) FROM complaints WHERE merged_into_id IS NOT NULL),
                   (SELECT count(*) FROM complaints WHERE counted = false),
                   (SELECT count(DISTINCT complaint_id) FROM complaint_events WHERE kind = 'extended'),
                   (SELECT count(*) FROM complaint_states WHERE state IN ('dispatched','contacted')),
                   (SELECT count(*) FROM emergencies WHERE state = 'on_site'),
                   (SELECT count(*) FROM contacts WHERE kind <> 'complaint'),
                   (SELECT count(*) FROM notification_inbox WHERE read_at IS NULL AND created_at < @cut)
            """, new { cut = until.AddDays(-2) });
        Assert.True(f.Y2025 > 200 && f.Y2026 > 200, $"complaints per year {f.Y2025} / {f.Y2026}");
        Assert.True(f.Closed > f.Y2025, $"closed {f.Closed}");
        Assert.True(f.Escalated > 10 && f.Merged > 0 && f.NotCounted > 10 && f.Extended > 0, $"{f}");
        Assert.True(f.Open > 0 && f.Emergencies > 10 && f.Consultations > 1000, $"{f}");
        Assert.Equal(0, f.Unread);
        var (repeats, reports) = await conn.QuerySingleAsync<(long, long)>(
            "SELECT (SELECT count(*) FROM complaints WHERE repeat_of_complaint_id IS NOT NULL), (SELECT count(*) FROM annual_reports WHERE year = 2025)");
        Assert.True(repeats > 0, "repeat complaints");
        Assert.Equal(1, reports);
    }

    [Fact]
    public void The_history_reports_its_progress_from_0_to_100_percent_in_order()
    {
        var percents = demo.Progress.Select(p => p.Percent).ToList();
        Assert.Equal(0, percents[0]);
        Assert.Equal(100, percents[^1]);
        Assert.Equal(percents.Order().Distinct(), percents); // each percent once, never backwards
        Assert.True(percents.Count > 50, $"{percents.Count} reports");
        Assert.True(demo.Progress[^1].StepsPlayed > 3000 && demo.Progress.Zip(demo.Progress.Skip(1)).All(p => p.First.StepsPlayed <= p.Second.StepsPlayed));
    }
}
