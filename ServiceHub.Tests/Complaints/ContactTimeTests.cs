using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>A contact time cannot be backdated at will (issue #11 point 8): the rule as a function, at its edges.</summary>
public sealed class ContactTimeTests
{
    private static readonly DateTimeOffset Dispatched = BusinessTime.FromLocal(new DateTime(2026, 11, 2, 10, 0, 30));
    private static readonly DateTimeOffset Logged = BusinessTime.FromLocal(new DateTime(2026, 11, 2, 14, 0, 0));

    private static Dictionary<string, FieldError> Check(DateTimeOffset typed, string? note = null, string method = "电话") =>
        ContactTime.Check(typed, Dispatched, Logged, method, note);

    [Fact]
    public void The_typed_time_may_not_precede_the_minute_of_dispatch_nor_lie_after_the_logging()
    {
        Assert.Empty(Check(BusinessTime.FromLocal(new DateTime(2026, 11, 2, 10, 0, 0)), "外出处理后补登")); // the minute of dispatch, typed to the minute
        Assert.Equal("Complaint.ContactBeforeDispatch", Check(BusinessTime.FromLocal(new DateTime(2026, 11, 2, 9, 59, 0)), "补登")["ContactedAt"].Code);
        Assert.Empty(Check(Logged));
        Assert.Equal("Complaint.ContactInFuture", Check(Logged.AddSeconds(1))["ContactedAt"].Code);
    }

    [Fact]
    public void A_time_more_than_an_hour_before_the_logging_needs_a_note_exactly_an_hour_does_not()
    {
        Assert.Empty(Check(Logged.AddHours(-1)));
        Assert.False(ContactTime.NeedsNote(Logged.AddHours(-1), Logged));
        Assert.True(ContactTime.NeedsNote(Logged.AddHours(-1).AddSeconds(-1), Logged));
        Assert.Equal("Complaint.ContactNoteRequired", Check(Logged.AddHours(-1).AddMinutes(-1))["Note"].Code);
        Assert.Equal("Complaint.ContactNoteRequired", Check(Logged.AddHours(-2), "  ")["Note"].Code);
        Assert.Empty(Check(Logged.AddHours(-2), "在现场处理，回来补登"));
    }

    [Fact]
    public void The_method_and_the_note_have_length_limits()
    {
        Assert.Equal("Validation.TooLong", Check(Logged, new string('补', ContactTime.NoteMax + 1))["Note"].Code);
        Assert.Equal("Validation.TooLong", Check(Logged, method: new string('电', ContactTime.MethodMax + 1))["Method"].Code);
        Assert.Equal("Validation.Required", Check(Logged, method: " ")["Method"].Code);
    }
}
