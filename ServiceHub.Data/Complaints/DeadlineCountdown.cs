namespace ServiceHub.Data.Complaints;

/// <summary>
/// A running deadline as the pages count it down: its due time and its warning time. The warning time is the one the escalation
/// sweep warns the handler at (stored with the deadline, <see cref="Deadlines.WarnAt"/> at the configured share), so a countdown turns
/// amber exactly when the handler is warned and red when the deadline is missed — on the queue, the list and the complaint page alike.
/// </summary>
public sealed record DeadlineCountdown(DateTimeOffset DueAt, DateTimeOffset WarnAt)
{
    /// <summary>A deadline read from a row that may lack its warning time (rows bulk-inserted by fixtures): no amber phase then.</summary>
    public static DeadlineCountdown? Of(DateTimeOffset? dueAt, DateTimeOffset? warnAt) => dueAt is { } due ? new(due, warnAt ?? due) : null;

    public DeadlineTone Tone(DateTimeOffset now) => now > DueAt ? DeadlineTone.Over : now >= WarnAt ? DeadlineTone.Warn : DeadlineTone.Ok;
}
