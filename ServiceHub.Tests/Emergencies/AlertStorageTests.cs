using Dapper;
using Npgsql;
using ServiceHub.Data.Emergencies;
using static ServiceHub.Tests.Emergencies.EmergencyTestData;

namespace ServiceHub.Tests.Emergencies;

/// <summary>
/// How an emergency's alerts are stored since sql/0260 (issue #14 point 7): one row per emergency and reason naming its people, an
/// acknowledgement row only when a person acknowledges — while every person still has their own alert, alert id and acknowledgement.
/// </summary>
public sealed class AlertStorageTests(EmergencyFixture db) : IClassFixture<EmergencyFixture>
{
    private const int ExtraLeaders = 300;

    private async Task<int> RaiseWithManyLeadersAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        if (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM users WHERE user_name LIKE 'many%'") == 0)
            await conn.ExecuteAsync("""
                INSERT INTO users (user_name, display_name, password_hash, roles)
                SELECT 'many' || lpad(i::text, 4, '0'), '领导' || i, 'x', ARRAY['leadership'] FROM generate_series(1, @n) i
                """, new { n = ExtraLeaders });
        var report = await ReportAsync(db.DataSource, db.S.Clock.GetUtcNow());
        return await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), report);
    }

    private async Task<int> Count(string sql, object? args = null)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>(sql, args);
    }

    [Fact]
    public async Task An_emergency_for_hundreds_of_people_is_one_alert_row_and_no_acknowledgement_row_until_someone_acknowledges()
    {
        var id = await RaiseWithManyLeadersAsync();

        Assert.Equal(1, await Count("SELECT count(*) FROM emergency_alert_batches WHERE emergency_id = @id", new { id }));
        Assert.Equal(0, await Count("SELECT count(*) FROM emergency_alert_acks WHERE emergency_id = @id", new { id }));
        // Still one alert per person: the demo's manager, VP and leaders, and the 300 leaders added here.
        var alerts = await AlertsAsync(db.DataSource, id);
        Assert.Equal(3 + ExtraLeaders, alerts.Count);
        Assert.Equal(alerts.Count, alerts.Select(a => a.User).Distinct().Count());
        Assert.All(alerts, a => Assert.Equal((AlertReasons.Raised, false), (a.Reason, a.Acknowledged)));
    }

    [Fact]
    public async Task Each_person_has_their_own_alert_id_and_acknowledging_it_records_them_alone()
    {
        var id = await RaiseWithManyLeadersAsync();
        var first = await db.ActorAsync("many0001");
        var second = await db.ActorAsync("many0002");
        var mine = Assert.Single(await db.Emergencies.PendingAlertsAsync(first.Id), a => a.EmergencyId == id);
        var theirs = Assert.Single(await db.Emergencies.PendingAlertsAsync(second.Id), a => a.EmergencyId == id);
        Assert.NotEqual(mine.AlertId, theirs.AlertId);

        // Someone else's alert id acknowledges nothing.
        Assert.False(await db.Emergencies.AcknowledgeAsync(first, theirs.AlertId));
        Assert.Equal(0, await Count("SELECT count(*) FROM emergency_alert_acks WHERE emergency_id = @id", new { id }));

        db.S.Clock.Advance(TimeSpan.FromMinutes(3));
        var at = db.S.Clock.GetUtcNow();
        Assert.True(await db.Emergencies.AcknowledgeAsync(first, mine.AlertId));
        Assert.False(await db.Emergencies.AcknowledgeAsync(first, mine.AlertId)); // a repeat changes nothing

        Assert.DoesNotContain(await db.Emergencies.PendingAlertsAsync(first.Id), a => a.EmergencyId == id);
        Assert.Contains(await db.Emergencies.PendingAlertsAsync(second.Id), a => a.AlertId == theirs.AlertId);
        Assert.Equal(1, await Count("SELECT count(*) FROM emergency_alert_acks WHERE emergency_id = @id", new { id }));

        // The emergency's alert list shows who acknowledged and when, and everyone else as not yet.
        var (_, timeline, list) = (await db.Emergencies.GetAsync(await db.ActorAsync("leader"), id))!.Value;
        Assert.Equal(3 + ExtraLeaders, list.Count);
        var acknowledged = Assert.Single(list, a => a.AcknowledgedAt is not null);
        Assert.Equal((mine.AlertId, first.Id, at), (acknowledged.Id, acknowledged.UserId, acknowledged.AcknowledgedAt!.Value));
        Assert.Single(timeline, e => e.Kind == "acknowledged" && e.UserId == first.Id);
    }

    [Fact]
    public async Task The_screen_catching_up_many_people_at_once_gets_each_their_own_alert()
    {
        var id = await RaiseWithManyLeadersAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var people = (await conn.QueryAsync<int>("SELECT id FROM users WHERE user_name LIKE 'many%' ORDER BY id LIMIT 50")).AsList();

        var pending = (await db.Emergencies.PendingAlertsAsync(people)).Where(a => a.EmergencyId == id).ToList();

        Assert.Equal(people, pending.Select(a => a.UserId).Order());
        Assert.Equal(pending.Count, pending.Select(a => a.AlertId).Distinct().Count());
        Assert.Equal(pending.Select(a => a.AlertId).Order(), pending.Select(a => a.AlertId)); // oldest first
    }

    [Fact]
    public async Task The_database_refuses_an_alert_for_a_person_who_does_not_exist_and_keeps_alerted_people()
    {
        var id = await RaiseWithManyLeadersAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();

        var insert = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("""
            INSERT INTO emergency_alert_batches (emergency_id, reason, created_at, user_ids)
            VALUES (@id, 'escalated', now(), ARRAY[(SELECT min(id) FROM users), 2147483647])
            """, new { id }));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, insert.SqlState);

        var delete = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync(
            "DELETE FROM users WHERE user_name = 'many0003'"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, delete.SqlState);
        Assert.Contains("emergency_alert_batches", delete.MessageText);
    }

    [Theory]
    [InlineData(1L, 1, 100_001L)]
    [InlineData(7L, 99_999, 799_999L)]
    [InlineData(123_456L, 42, 12_345_600_042L)]
    public void A_persons_alert_id_is_their_row_and_position(long batchId, int position, long alertId)
    {
        Assert.Equal(alertId, AlertIds.Of(batchId, position));
        Assert.Equal((batchId, position), AlertIds.Split(alertId));
    }

    [Fact]
    public void A_position_outside_a_row_has_no_alert_id()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AlertIds.Of(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => AlertIds.Of(1, AlertIds.MaxPeople + 1));
    }
}
