using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

/// <summary>
/// The demo company's history is played through the real rules: nothing refused, every stage of the lifecycle present.
/// Slow (about a minute, the longest test): it runs in every test command, in a collection of its own that starts first
/// (<see cref="LongestFirst"/>); <c>--filter "Category!=Slow"</c> leaves it out of a quick local run.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DemoHistoryTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task The_demo_history_plays_without_a_refused_step_and_shows_every_stage()
    {
        await using var s = new TestServices(db.ConnectionString);
        await s.Demo().SeedAsync();
        var until = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

        var refused = await new DemoHistory(db.ConnectionString, NullLogger.Instance).SeedAsync(until);

        Assert.Empty(refused);
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        var f = await conn.QuerySingleAsync<(long Y2025, long Y2026, long Closed, long Escalated, long Merged, long NotCounted, long Extended, long Open, long Emergencies, long Consultations, long Unread)>("""
            SELECT (SELECT count(*) FROM complaints WHERE registered_at < '2026-01-01+08'),
                   (SELECT count(*) FROM complaints WHERE registered_at >= '2026-01-01+08'),
                   (SELECT count(*) FROM complaints WHERE state = 'closed'),
                   (SELECT count(*) FROM complaints WHERE escalation_level > 0),
                   (SELECT count(*) FROM complaints WHERE merged_into_id IS NOT NULL),
                   (SELECT count(*) FROM complaints WHERE counted = false),
                   (SELECT count(DISTINCT complaint_id) FROM complaint_events WHERE kind = 'extended'),
                   (SELECT count(*) FROM complaints WHERE state IN ('dispatched','contacted')),
                   (SELECT count(*) FROM emergencies WHERE state = 'on_site'),
                   (SELECT count(*) FROM contacts WHERE kind <> 'complaint'),
                   (SELECT count(*) FROM notifications WHERE read_at IS NULL AND created_at < @cut)
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
}
