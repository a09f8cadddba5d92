namespace ServiceHub.Data.Complaints;

/// <summary>
/// The stage machine of a complaint deadline (DOMAIN.md §4), written once: <c>pending</c> → <c>warned</c> (the handler, at the
/// deadline's warning time) → <c>level1</c> (the department manager, at the deadline) → <c>level2</c> (the supervising
/// vice-president, one contact interval later). A deadline row's <c>next_at</c> is when it next moves: the time of its stage's
/// next step, null when fully escalated, inactive, or suspended while its complaint is merged into another. Setting, suspending,
/// resuming and the sweep's advance all derive <c>next_at</c> from <see cref="NextAtSql"/>, so they cannot disagree.
/// </summary>
public static class DeadlineStages
{
    public const string Pending = "pending";
    public const string Warned = "warned";
    public const string Level1 = "level1";
    public const string Level2 = "level2";

    public static readonly IReadOnlyList<string> All = [Pending, Warned, Level1, Level2];

    /// <summary>The stage after <paramref name="stage"/> (level 2 is the last).</summary>
    public static string Next(string stage) => stage switch { Pending => Warned, Warned => Level1, _ => Level2 };

    /// <summary>The stage a deadline starts in when set at <paramref name="now"/>: warned at once when its warning time has passed.</summary>
    public static string Initial(DateTimeOffset now, DateTimeOffset warnAt) => now >= warnAt ? Warned : Pending;

    /// <summary>SQL: the stage after the stage expression <paramref name="stage"/>.</summary>
    public static string NextSql(string stage) => $"CASE {stage} WHEN '{Pending}' THEN '{Warned}' WHEN '{Warned}' THEN '{Level1}' ELSE '{Level2}' END";

    /// <summary>
    /// SQL: when a deadline in the stage expression <paramref name="stage"/> next moves, over the row's columns prefixed by
    /// <paramref name="row"/> (<c>d.</c>): its warning time while pending, its due time once warned, its level-2 time at level 1, never at level 2.
    /// </summary>
    public static string NextAtSql(string stage, string row) =>
        $"CASE {stage} WHEN '{Pending}' THEN {row}warn_at WHEN '{Warned}' THEN {row}due_at WHEN '{Level1}' THEN {row}level2_at END";
}
