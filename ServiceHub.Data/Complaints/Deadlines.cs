namespace ServiceHub.Data.Complaints;

/// <summary>The deadline rules of a complaint, as pure functions used by the repository, the sweep and the pages.</summary>
public static class Deadlines
{
    /// <summary>The reply to the customer is due within 48 hours of registration.</summary>
    public static readonly TimeSpan ReplyWithin = TimeSpan.FromHours(48);

    /// <summary>Default share of a deadline's interval after which the handler is warned.</summary>
    public const double DefaultWarnShare = 0.8;

    public static DateTimeOffset ContactDue(DateTimeOffset dispatchedAt, int urgencyMinutes)
    {
        if (!Urgency.IsValid(urgencyMinutes)) throw new ArgumentOutOfRangeException(nameof(urgencyMinutes));
        return dispatchedAt.AddMinutes(urgencyMinutes);
    }

    public static DateTimeOffset ReplyDue(DateTimeOffset registeredAt) => registeredAt + ReplyWithin;

    /// <summary>When the handler is warned: at <paramref name="share"/> of the way from the start to the deadline.</summary>
    public static DateTimeOffset WarnAt(DateTimeOffset start, DateTimeOffset due, double share = DefaultWarnShare)
    {
        if (share is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(share));
        var span = due - start;
        return span <= TimeSpan.Zero ? due : start + TimeSpan.FromTicks((long)(span.Ticks * share));
    }

    /// <summary>
    /// 处理延期: an extension replaces the deadline in force only while that deadline has not passed (its due time itself included, as a
    /// reply at the due time is on time). After, it is refused: a missed deadline stays missed in every figure (issue #11 point 7).
    /// </summary>
    public static bool MayExtend(DateTimeOffset dueInForce, DateTimeOffset now) => now <= dueInForce;

    /// <summary>How far ahead a time agreed with the customer may lie (a typing error of a year is refused).</summary>
    public static readonly TimeSpan AgreedWithin = TimeSpan.FromDays(180);

    /// <summary>Level 2 (supervising vice-president): still overdue one contact interval after the deadline.</summary>
    public static DateTimeOffset Level2At(DateTimeOffset due, int urgencyMinutes) => due.AddMinutes(urgencyMinutes);
}
