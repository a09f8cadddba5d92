using Dapper;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using static ServiceHub.Tests.Emergencies.EmergencyTestData;

namespace ServiceHub.Tests.Emergencies;

/// <summary>The open end of the manual's list (…等): an "other first-class event", described, confirmed or not by the CS supervisor.</summary>
public sealed class EmergencyOtherKindTests(EmergencyFixture db) : IClassFixture<EmergencyFixture>
{
    private DateTimeOffset Now => db.S.Clock.GetUtcNow();

    private async Task<int> RaiseOtherAsync() =>
        await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), await ReportAsync(db.DataSource, Now, kind: EmergencyKinds.Other));

    [Fact]
    public async Task An_other_event_needs_its_description_within_50_characters()
    {
        var agent = await db.ActorAsync("agent");
        var report = await ReportAsync(db.DataSource, Now, kind: EmergencyKinds.Other);
        report.KindDetail = "  ";
        var missing = await Assert.ThrowsAsync<ValidationFailedException>(() => db.Emergencies.ReportAsync(agent, report));
        Assert.Equal(("KindDetail", "Validation.Required"), (missing.Errors.Single().Key, missing.Errors.Single().Value.Code));
        report.KindDetail = new string('梯', 51);
        var tooLong = await Assert.ThrowsAsync<ValidationFailedException>(() => db.Emergencies.ReportAsync(agent, report));
        Assert.Equal(("KindDetail", "Validation.TooLong"), (tooLong.Errors.Single().Key, tooLong.Errors.Single().Value.Code));

        report.KindDetail = new string('梯', 50);
        var id = await db.Emergencies.ReportAsync(agent, report);
        var (detail, _, _) = (await db.Emergencies.GetAsync(agent, id))!.Value;
        Assert.Equal((EmergencyKinds.Other, new string('梯', 50), EmergencyConfirmations.Pending), (detail.Kind, detail.KindDetail, detail.Confirmation));
    }

    [Fact]
    public async Task The_database_refuses_an_other_event_without_its_description()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var ex = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("""
            INSERT INTO emergencies (kind, confirmation, project_id, location, occurred_at, description, responsible_department_id, reported_by, reported_at, on_site_due_at)
            SELECT 'other', 'pending', (SELECT min(id) FROM projects), 'x', now(), 'x', (SELECT min(id) FROM departments), (SELECT min(id) FROM users), now(), now()
            """));
        Assert.Equal("emergencies_other_described", ex.ConstraintName);
    }

    [Fact]
    public async Task It_alerts_like_the_rest_and_asks_the_cs_supervisors_to_confirm_it()
    {
        var id = await RaiseOtherAsync();
        var alerts = await AlertsAsync(db.DataSource, id);
        Assert.Equal(["leader", "pmmanager", "vp"], alerts.Where(a => a.Reason == AlertReasons.Raised).Select(a => a.User).Order());
        Assert.Equal(["csmanager", "supervisor"], alerts.Where(a => a.Reason == AlertReasons.Confirm).Select(a => a.User).Order());

        // On the two-hour clock like the rest until the CS supervisor decides.
        db.S.Clock.Advance(TimeSpan.FromMinutes(50));
        Assert.True(await db.Emergencies.FollowUpAsync(id, AlertReasons.Reminder60));

        var page = await db.Emergencies.ListAsync(await db.ActorAsync("leader"), EmergencyListFilters.Unconfirmed, 0, 100);
        Assert.Contains(page.Items, e => e.Id == id && e.Confirmation == EmergencyConfirmations.Pending && e.KindDetail == "电梯困人超过一小时");
        Assert.All(page.Items, e => Assert.Equal(EmergencyConfirmations.Pending, e.Confirmation));
    }

    [Fact]
    public async Task Only_the_cs_supervisor_confirms_it_once_recorded_and_audited()
    {
        var id = await RaiseOtherAsync();
        foreach (var user in new[] { "agent", "leader", "pmmanager", "admin" })
        {
            var actor = await db.ActorAsync(user);
            await Assert.ThrowsAsync<ForbiddenException>(() => db.Emergencies.ConfirmAsync(actor, id, true, null));
        }
        var supervisor = await db.ActorAsync("supervisor");
        db.S.Clock.Advance(TimeSpan.FromMinutes(5));
        await db.Emergencies.ConfirmAsync(supervisor, id, true, null);

        var (detail, timeline, alerts) = (await db.Emergencies.GetAsync(supervisor, id))!.Value;
        Assert.Equal((EmergencyConfirmations.Confirmed, "陈静", Now), (detail.Confirmation, detail.ConfirmedByName, detail.ConfirmedAt));
        var decided = Assert.Single(timeline, e => e.Kind == EmergencyConfirmations.Confirmed);
        Assert.Equal((supervisor.Id, Now), (decided.UserId, decided.At));
        Assert.Equal(Now, Assert.Single(alerts, a => a.UserId == supervisor.Id).AcknowledgedAt); // their own "confirm" alert
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            Assert.Equal(1, await conn.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM audit_log WHERE entity = 'emergency' AND entity_id = @id AND user_name = 'supervisor' AND details = 'confirmed'", new { id = id.ToString() }));

        var csmanager = await db.ActorAsync("csmanager");
        var again = await Assert.ThrowsAsync<DomainException>(() => db.Emergencies.ConfirmAsync(csmanager, id, false, "重复"));
        Assert.Equal("Emergency.AlreadyConfirmed", again.Code);

        var listed = await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), await ReportAsync(db.DataSource, Now));
        var nothing = await Assert.ThrowsAsync<DomainException>(() => db.Emergencies.ConfirmAsync(supervisor, listed, true, null));
        Assert.Equal("Emergency.NotToConfirm", nothing.Code);
    }

    [Fact]
    public async Task Not_first_class_needs_a_reason_and_stops_the_reminders_and_the_escalation()
    {
        var id = await RaiseOtherAsync();
        var supervisor = await db.ActorAsync("supervisor");
        var noReason = await Assert.ThrowsAsync<ValidationFailedException>(() => db.Emergencies.ConfirmAsync(supervisor, id, false, " "));
        Assert.Equal(("Note", "Validation.Required"), (noReason.Errors.Single().Key, noReason.Errors.Single().Value.Code));

        await db.Emergencies.ConfirmAsync(supervisor, id, false, "仅为电梯短时停运，无人员被困");
        db.S.Clock.Advance(TimeSpan.FromHours(3));
        foreach (var (step, _) in EmergencyRules.FollowUps) Assert.False(await db.Emergencies.FollowUpAsync(id, step));
        await db.Emergencies.SweepAsync();
        Assert.Equal(["reported", "not_first_class"], await EventsAsync(db.DataSource, id));
        var (detail, _, _) = (await db.Emergencies.GetAsync(supervisor, id))!.Value;
        Assert.Equal((EmergencyConfirmations.NotFirstClass, "仅为电梯短时停运，无人员被困"), (detail.Confirmation, detail.ConfirmationNote));
    }
}
