namespace ServiceHub.Data.Complaints;

/// <summary>
/// A time agreed with the customer that the complaint's handler works towards without escalation (<see cref="DeadlineKinds.Feedback"/>,
/// <see cref="DeadlineKinds.Agreed"/>): its countdown runs until it is met, and passing it unmet is shown as missed — met late stays missed.
/// </summary>
public sealed record AgreedTime(DateTimeOffset DueAt, DateTimeOffset WarnAt, DateTimeOffset? MetAt, bool Running)
{
    public static AgreedTime? Of(DateTimeOffset? dueAt, DateTimeOffset? warnAt, DateTimeOffset? metAt, bool running) =>
        dueAt is { } due ? new(due, warnAt ?? due, metAt, running) : null;

    /// <summary>Passed unmet, or met after it.</summary>
    public bool Missed(DateTimeOffset now) => MetAt is { } met ? met > DueAt : now > DueAt;

    /// <summary>The countdown while it runs (amber from its warning time, red once passed).</summary>
    public DeadlineCountdown? Countdown => Running && MetAt is null ? new(DueAt, WarnAt) : null;
}
