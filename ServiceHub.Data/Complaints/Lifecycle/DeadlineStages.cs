namespace ServiceHub.Data.Complaints;

/// <summary>
/// The stage machine of a complaint deadline (DOMAIN.md §4), written once. An escalating deadline (<see cref="DeadlineKinds.Escalating"/>):
/// <c>pending</c> → <c>warned</c> (the handler, at the deadline's warning time) → <c>level1</c> (the department manager, at the
/// deadline) → <c>level2</c> (the supervising vice-president, one contact interval later). A deadline that only warns (the earliest
/// feedback time, a date agreed after a miss): <c>pending</c> → <c>warned</c> → <c>missed</c> (the handler, at the deadline).
/// A deadline row's <c>next_at</c> is when it next moves: the time of its stage's next step, null when at its last stage, inactive, or
/// suspended while its complaint is merged into another. Setting, suspending, resuming and the sweep's advance all derive
/// <c>next_at</c> from <see cref="NextAtSql"/>, so they cannot disagree.
/// </summary>
public static class DeadlineStages
{
    public const string Pending = "pending";
    public const string Warned = "warned";
    public const string Level1 = "level1";
    public const string Level2 = "level2";
    /// <summary>The last stage of a deadline that does not escalate: passed, the handler told.</summary>
    public const string Missed = "missed";

    public static readonly IReadOnlyList<string> All = [Pending, Warned, Level1, Level2, Missed];

    /// <summary>The stage after <paramref name="stage"/> for a deadline of <paramref name="kind"/> (level 2 and missed are the last).</summary>
    public static string Next(string stage, string kind) =>
        DeadlineKinds.Escalates(kind)
            ? stage switch { Pending => Warned, Warned => Level1, _ => Level2 }
            : stage == Pending ? Warned : Missed;

    /// <summary>The stage a deadline starts in when set at <paramref name="now"/>: warned at once when its warning time has passed.</summary>
    public static string Initial(DateTimeOffset now, DateTimeOffset warnAt) => now >= warnAt ? Warned : Pending;

    /// <summary>SQL: the stage after the stage expression <paramref name="stage"/> of a deadline whose kind is the expression <paramref name="kind"/>.</summary>
    public static string NextSql(string stage, string kind) =>
        $"CASE WHEN {kind} IN ({DeadlineKinds.EscalatingSql}) THEN (CASE {stage} WHEN '{Pending}' THEN '{Warned}' WHEN '{Warned}' THEN '{Level1}' ELSE '{Level2}' END) "
        + $"ELSE (CASE {stage} WHEN '{Pending}' THEN '{Warned}' ELSE '{Missed}' END) END";

    /// <summary>
    /// SQL: when a deadline in the stage expression <paramref name="stage"/> next moves, over the row's columns prefixed by
    /// <paramref name="row"/> (<c>d.</c>): its warning time while pending, its due time once warned, its level-2 time at level 1, never at
    /// level 2 or once missed.
    /// </summary>
    public static string NextAtSql(string stage, string row) =>
        $"CASE {stage} WHEN '{Pending}' THEN {row}warn_at WHEN '{Warned}' THEN {row}due_at WHEN '{Level1}' THEN {row}level2_at END";
}
