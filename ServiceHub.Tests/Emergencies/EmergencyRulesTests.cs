using ServiceHub.Data.Emergencies;

namespace ServiceHub.Tests.Emergencies;

public sealed class EmergencyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

    private static EmergencyReport Valid(string kind = EmergencyKinds.FireExplosion) => new()
    {
        Kind = kind, KindDetail = kind == EmergencyKinds.Other ? "电梯困人" : "", ProjectId = 1, Location = "3号楼大堂", OccurredAt = Now.AddMinutes(-10), Description = "大堂配电箱起火", ResponsibleDepartmentId = 5,
    };

    [Fact]
    public void A_complete_report_of_each_kind_but_loss_is_first_class()
    {
        foreach (var kind in EmergencyKinds.All.Where(k => k != EmergencyKinds.CompensationLoss))
            Assert.Empty(EmergencyRules.Check(Valid(kind), Now));
    }

    [Fact]
    public void Attempted_theft_is_not_first_class()
    {
        var r = Valid(EmergencyKinds.PublicSecurity);
        r.Attempted = true;
        var error = Assert.Single(EmergencyRules.Check(r, Now));
        Assert.Equal(("Attempted", "Emergency.AttemptedNotFirstClass"), (error.Field, error.Code));

        r.Attempted = false; // a theft that happened is
        Assert.Empty(EmergencyRules.Check(r, Now));
    }

    [Fact]
    public void The_attempted_flag_matters_only_for_public_security()
    {
        var r = Valid(EmergencyKinds.Disaster);
        r.Attempted = true;
        Assert.Empty(EmergencyRules.Check(r, Now));
    }

    [Theory]
    [InlineData(4999.99, false)]
    [InlineData(4999, false)]
    [InlineData(0, false)]
    [InlineData(5000, true)] // 5000元以上 includes 5000 itself
    [InlineData(5000.01, true)]
    [InlineData(120000, true)]
    public void A_loss_or_compensation_is_first_class_from_5000_yuan(decimal amount, bool firstClass)
    {
        var r = Valid(EmergencyKinds.CompensationLoss);
        r.AmountYuan = amount;
        var errors = EmergencyRules.Check(r, Now);
        if (firstClass) Assert.Empty(errors);
        else Assert.Equal(("AmountYuan", "Emergency.LossBelowThreshold"), (Assert.Single(errors).Field, errors[0].Code));
    }

    [Fact]
    public void A_loss_needs_its_amount()
    {
        var errors = EmergencyRules.Check(Valid(EmergencyKinds.CompensationLoss), Now);
        Assert.Equal(("AmountYuan", "Validation.Required"), (Assert.Single(errors).Field, errors[0].Code));
    }

    [Fact]
    public void Every_missing_field_is_named()
    {
        var errors = EmergencyRules.Check(new EmergencyReport(), Now);
        Assert.Equal(["Kind", "ProjectId", "Location", "OccurredAt", "Description", "ResponsibleDepartmentId"], errors.Select(e => e.Field));
    }

    [Fact]
    public void It_cannot_have_happened_in_the_future()
    {
        var r = Valid();
        r.OccurredAt = Now.AddHours(1);
        Assert.Equal("OccurredAt", Assert.Single(EmergencyRules.Check(r, Now)).Field);
    }

    [Fact]
    public void The_follow_ups_are_at_60_and_90_minutes_and_the_escalation_at_two_hours_after_the_event()
    {
        Assert.Equal(
            [(AlertReasons.Reminder60, TimeSpan.FromMinutes(60)), (AlertReasons.Reminder90, TimeSpan.FromMinutes(90)), (AlertReasons.Escalated, TimeSpan.FromHours(2))],
            EmergencyRules.FollowUps);
        var occurred = Now.AddMinutes(-90);
        Assert.Equal(occurred.AddHours(2), EmergencyRules.OnSiteDue(occurred));
        // Reported 90 minutes after the event: both reminders are due at once, the escalation half an hour later.
        Assert.Equal([AlertReasons.Reminder60, AlertReasons.Reminder90], EmergencyRules.FollowUpsDue(occurred, Now));
        Assert.Equal([AlertReasons.Reminder60, AlertReasons.Reminder90], EmergencyRules.FollowUpsDue(occurred, Now.AddMinutes(30).AddSeconds(-1)));
        Assert.Equal(EmergencyRules.FollowUps.Select(f => f.Step), EmergencyRules.FollowUpsDue(occurred, Now.AddMinutes(30)));
    }

    [Theory]
    [InlineData(0, ReportLateness.None)]
    [InlineData(59 * 60 + 59, ReportLateness.None)]
    [InlineData(60 * 60, ReportLateness.AfterReminder)]
    [InlineData(119 * 60 + 59, ReportLateness.AfterReminder)]
    [InlineData(120 * 60, ReportLateness.AfterLimit)]
    public void A_report_is_late_from_the_first_reminder_and_past_the_limit_from_two_hours(int secondsAfterTheEvent, ReportLateness lateness)
    {
        Assert.Equal(lateness, EmergencyRules.Lateness(Now, Now.AddSeconds(secondsAfterTheEvent)));
        Assert.Equal(TimeSpan.FromSeconds(secondsAfterTheEvent), EmergencyRules.ReportDelay(Now, Now.AddSeconds(secondsAfterTheEvent)));
    }

    [Fact]
    public void A_report_a_little_before_the_stated_time_has_no_delay()
    {
        Assert.Equal(TimeSpan.Zero, EmergencyRules.ReportDelay(Now.AddMinutes(3), Now)); // the reporter's watch is ahead
    }

    [Fact]
    public void Arrival_may_be_neither_in_the_future_nor_before_the_event()
    {
        var occurred = Now.AddHours(-2);
        Assert.Empty(EmergencyRules.CheckArrival(Now, occurred, Now));
        Assert.Empty(EmergencyRules.CheckArrival(occurred, occurred, Now));
        Assert.Equal(("ArrivedAt", "Emergency.ArrivedInFuture"), (EmergencyRules.CheckArrival(Now.AddSeconds(1), occurred, Now).Single().Field, EmergencyRules.CheckArrival(Now.AddSeconds(1), occurred, Now).Single().Code));
        Assert.Equal("Emergency.ArrivedBeforeOccurrence", EmergencyRules.CheckArrival(occurred.AddSeconds(-1), occurred, Now).Single().Code);
        Assert.True(EmergencyRules.IsOnTime(occurred.AddHours(2), EmergencyRules.OnSiteDue(occurred)));
        Assert.False(EmergencyRules.IsOnTime(occurred.AddHours(2).AddSeconds(1), EmergencyRules.OnSiteDue(occurred)));
    }

    [Fact]
    public void The_findings_need_cause_scope_and_response_each_within_1000_characters()
    {
        Assert.Equal(["Cause", "Scope", "Response"], EmergencyRules.Check(new EmergencyFindings()).Select(e => e.Field));
        Assert.Empty(EmergencyRules.Check(new EmergencyFindings { Cause = "电线老化", Scope = "大堂", Response = "已断电灭火" }));
        var tooLong = EmergencyRules.Check(new EmergencyFindings { Cause = new string('因', 1001), Scope = "大堂", Response = "已断电灭火" });
        Assert.Equal(("Cause", "Validation.TooLong"), (tooLong.Single().Field, tooLong.Single().Code));
    }

    [Fact]
    public void An_other_event_needs_what_kind_of_event_it_is_and_the_cs_supervisors_confirmation()
    {
        var r = Valid(EmergencyKinds.Other);
        Assert.Empty(EmergencyRules.Check(r, Now));
        r.KindDetail = "";
        Assert.Equal(("KindDetail", "Validation.Required"), (EmergencyRules.Check(r, Now).Single().Field, EmergencyRules.Check(r, Now).Single().Code));
        r.KindDetail = new string('梯', EmergencyRules.KindDetailMax + 1);
        Assert.Equal("Validation.TooLong", EmergencyRules.Check(r, Now).Single().Code);
        Assert.True(EmergencyKinds.NeedsConfirmation(EmergencyKinds.Other));
        Assert.All(EmergencyKinds.All.Where(k => k != EmergencyKinds.Other), k => Assert.False(EmergencyKinds.NeedsConfirmation(k)));
    }

    [Fact]
    public void Every_text_field_has_a_length_limit()
    {
        var r = Valid();
        r.Location = new string('楼', EmergencyRules.LocationMax + 1);
        r.Description = new string('火', EmergencyRules.DescriptionMax + 1);
        Assert.Equal(["Location", "Description"], EmergencyRules.Check(r, Now).Select(e => e.Field));
        Assert.Equal("Note", EmergencyRules.CheckConfirmation(true, new string('注', EmergencyRules.ConfirmationNoteMax + 1)).Single().Field);
    }

    [Fact]
    public void Judging_an_event_not_first_class_needs_a_reason()
    {
        Assert.Empty(EmergencyRules.CheckConfirmation(true, null));
        Assert.Equal(("Note", "Validation.Required"), (EmergencyRules.CheckConfirmation(false, " ").Single().Field, EmergencyRules.CheckConfirmation(false, " ").Single().Code));
        Assert.Empty(EmergencyRules.CheckConfirmation(false, "仅为短时停电"));
    }
}
