using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Complaints;

/// <summary>
/// A contact time cannot be backdated at will (issue #11 point 8). The department types when it contacted the customer (what the contact
/// KPI measures); the time it logged it is kept beside. The typed time may neither precede the dispatch nor lie in the future, and one
/// typed more than an hour before the logging needs a note, which the KPI drill list shows with a mark.
/// <para>
/// Tolerances (decision): the time is typed to the minute (date and time pickers), so the earliest accepted is the minute of the
/// dispatch; the latest is the moment of logging itself (before, a minute was tolerated either side).
/// </para>
/// </summary>
public static class ContactTime
{
    /// <summary>A typed time more than this before the logging needs a note (exactly an hour does not).</summary>
    public static readonly TimeSpan NoteAfter = TimeSpan.FromHours(1);

    public const int MethodMax = 100;
    public const int NoteMax = 500;

    /// <summary>The earliest time that may be typed: the minute of the dispatch.</summary>
    public static DateTimeOffset Earliest(DateTimeOffset dispatchedAt) =>
        new(dispatchedAt.UtcTicks - dispatchedAt.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    /// <summary>Typed more than an hour before it was logged: a note says why.</summary>
    public static bool NeedsNote(DateTimeOffset contactedAt, DateTimeOffset loggedAt) => loggedAt - contactedAt > NoteAfter;

    /// <summary>The field errors of a contact confirmation (method, time, note), logged at <paramref name="loggedAt"/>.</summary>
    public static Dictionary<string, FieldError> Check(DateTimeOffset contactedAt, DateTimeOffset dispatchedAt, DateTimeOffset loggedAt, string? method, string? note)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Method", method, MethodMax);
        if (contactedAt > loggedAt) errors["ContactedAt"] = new("Complaint.ContactInFuture");
        else if (contactedAt < Earliest(dispatchedAt)) errors["ContactedAt"] = new("Complaint.ContactBeforeDispatch", BusinessTime.Format(dispatchedAt));
        TextInput.Check(errors, "Note", note, NoteMax, required: NeedsNote(contactedAt, loggedAt));
        if (errors.TryGetValue("Note", out var e) && e.Code == "Validation.Required") errors["Note"] = new("Complaint.ContactNoteRequired");
        return errors;
    }
}
