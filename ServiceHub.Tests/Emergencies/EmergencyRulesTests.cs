using ServiceHub.Data.Emergencies;

namespace ServiceHub.Tests.Emergencies;

public sealed class EmergencyRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

    private static EmergencyReport Valid(string kind = EmergencyKinds.FireExplosion) => new()
    {
        Kind = kind, ProjectId = 1, Location = "3号楼大堂", OccurredAt = Now.AddMinutes(-10), Description = "大堂配电箱起火", ResponsibleDepartmentId = 5,
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
    public void The_follow_ups_are_at_60_and_90_minutes_and_the_escalation_at_two_hours()
    {
        Assert.Equal(
            [(AlertReasons.Reminder60, TimeSpan.FromMinutes(60)), (AlertReasons.Reminder90, TimeSpan.FromMinutes(90)), (AlertReasons.Escalated, TimeSpan.FromHours(2))],
            EmergencyRules.FollowUps);
        Assert.Equal(Now.AddHours(2), EmergencyRules.OnSiteDue(Now));
    }

    [Fact]
    public void Arrival_needs_cause_scope_and_response()
    {
        Assert.Equal(["Cause", "Scope", "Response"], EmergencyRules.Check(new ArrivalReport()).Select(e => e.Field));
        Assert.Empty(EmergencyRules.Check(new ArrivalReport { Cause = "电线老化", Scope = "大堂", Response = "已断电灭火" }));
    }
}
