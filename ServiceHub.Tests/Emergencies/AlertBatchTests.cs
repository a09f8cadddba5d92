using System.Text.Json;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Emergencies;

namespace ServiceHub.Tests.Emergencies;

/// <summary>
/// An alert crosses the backplane and reaches screens as it was saved (issue #14 point 7): once, with the people it names
/// (<see cref="AlertBatch"/>) — so an emergency's text crosses Redis once, not once a person — and people's own alerts caught up from
/// the database gather back into the same shape, each person under the alert row that names them.
/// </summary>
public sealed class AlertBatchTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset At = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    private static AlertMessage Alert(long alertId, int userId, string reason, int emergencyId, DateTimeOffset createdAt) =>
        new(alertId, userId, reason, emergencyId, EmergencyKinds.FireExplosion, null, "朝阳花园", emergencyId == 1 ? "3号楼" : null,
            "地下车库B2层配电间", $"配电间冒烟起火（{emergencyId}）", "物业管理部", "Property Management",
            At.AddMinutes(-10), At, At.AddMinutes(30), createdAt);

    private static AlertBatch[] RoundTrip(AlertBatch[] batches) =>
        JsonSerializer.Deserialize<BackplaneMessage>(JsonSerializer.Serialize(new BackplaneMessage(BackplaneKinds.Alerts, Batches: batches), Json), Json)!.Batches!;

    [Fact]
    public void Peoples_own_alerts_gather_under_their_alert_rows_and_cross_Redis_unchanged()
    {
        AlertMessage[] alerts =
        [
            Alert(AlertIds.Of(11, 1), 5, AlertReasons.Raised, 1, At),
            Alert(AlertIds.Of(11, 2), 6, AlertReasons.Raised, 1, At),
            Alert(AlertIds.Of(12, 1), 7, AlertReasons.Raised, 2, At.AddSeconds(1)),      // another emergency
            Alert(AlertIds.Of(13, 1), 5, AlertReasons.Reminder60, 1, At.AddMinutes(60)), // same emergency, another reason and time
            Alert(AlertIds.Of(11, 3), 8, AlertReasons.Raised, 1, At),
        ];

        var batches = AlertBatch.Of(alerts);

        Assert.Equal([11L, 12L, 13L], batches.Select(b => b.Alert.BatchId));
        Assert.Equal([[5, 6, 8], [7], [5]], batches.Select(b => b.UserIds));
        Assert.Equal(alerts[3].ToScreen(), batches[2].Alert); // the person's own reason and time
        var back = RoundTrip(batches);
        Assert.Equal(batches.Select(b => b.Alert), back.Select(b => b.Alert));
        Assert.Equal(batches.Select(b => b.UserIds), back.Select(b => b.UserIds));
    }

    [Fact]
    public void An_emergency_for_1000_people_crosses_Redis_with_its_text_once()
    {
        var alerts = Enumerable.Range(1, 1000).Select(i => Alert(AlertIds.Of(42, i), i, AlertReasons.Raised, 1, At)).ToArray();
        var batch = Assert.Single(AlertBatch.Of(alerts));

        var packed = JsonSerializer.Serialize(new BackplaneMessage(BackplaneKinds.Alerts, Batches: [batch]), Json);

        Assert.Equal(1, CountOf(packed, JsonSerializer.Serialize("配电间冒烟起火", Json).Trim('"'))); // as the JSON writes it
        Assert.True(packed.Length * 10 < JsonSerializer.Serialize(alerts, Json).Length, $"{packed.Length} characters packed");
        Assert.Equal(Enumerable.Range(1, 1000), Assert.Single(RoundTrip([batch])).UserIds);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
