using System.Text.Json;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Emergencies;

namespace ServiceHub.Tests.Emergencies;

/// <summary>
/// Alerts crossing the backplane as <see cref="AlertBatch"/>es (issue #14 point 7): each person gets back exactly their own alert —
/// their alert id, which their screen acknowledges, and their reason — and an emergency's text crosses Redis once, not once a person.
/// </summary>
public sealed class AlertBatchTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset At = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);

    private static AlertMessage Alert(long alertId, int userId, string reason, int emergencyId, DateTimeOffset createdAt) =>
        new(alertId, userId, reason, emergencyId, EmergencyKinds.FireExplosion, null, "朝阳花园", emergencyId == 1 ? "3号楼" : null,
            "地下车库B2层配电间", $"配电间冒烟起火（{emergencyId}）", "物业管理部", "Property Management",
            At.AddMinutes(-10), At, At.AddMinutes(30), createdAt);

    private static AlertMessage[] RoundTrip(IEnumerable<AlertMessage> alerts) =>
        [.. JsonSerializer.Deserialize<BackplaneMessage>(JsonSerializer.Serialize(
            new BackplaneMessage(BackplaneKinds.Alerts, Batches: AlertBatch.Pack(alerts)), Json), Json)!.Batches!.SelectMany(b => b.Unpack())];

    [Fact]
    public void Every_person_gets_back_their_own_alert_id_and_reason_across_emergencies_reasons_and_times()
    {
        AlertMessage[] alerts =
        [
            Alert(11, 5, AlertReasons.Raised, 1, At),
            Alert(12, 6, AlertReasons.Raised, 1, At),
            Alert(13, 7, AlertReasons.Raised, 2, At.AddSeconds(1)),  // another emergency
            Alert(14, 5, AlertReasons.Reminder60, 1, At.AddMinutes(60)), // same emergency, another reason and time
            Alert(15, 8, AlertReasons.Raised, 1, At),
        ];

        var back = RoundTrip(alerts);

        Assert.Equal(alerts.OrderBy(a => a.AlertId), back.OrderBy(a => a.AlertId));
        Assert.Equal(alerts.Length, back.Length);
    }

    [Fact]
    public void An_emergency_for_1000_people_crosses_Redis_with_its_text_once()
    {
        var alerts = Enumerable.Range(1, 1000).Select(i => Alert(1000 + i, i, AlertReasons.Raised, 1, At)).ToArray();

        var packed = JsonSerializer.Serialize(new BackplaneMessage(BackplaneKinds.Alerts, Batches: AlertBatch.Pack(alerts)), Json);

        Assert.Single(AlertBatch.Pack(alerts));
        Assert.Equal(1, CountOf(packed, JsonSerializer.Serialize("配电间冒烟起火", Json).Trim('"'))); // as the JSON writes it
        Assert.True(packed.Length * 4 < JsonSerializer.Serialize(alerts, Json).Length, $"{packed.Length} characters packed");
        Assert.Equal(alerts, RoundTrip(alerts));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
