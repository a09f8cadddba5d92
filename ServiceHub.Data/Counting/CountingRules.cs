namespace ServiceHub.Data.Counting;

/// <summary>Counting rule 5 (DOMAIN.md §4): a complaint is closed only once classified by its final root cause. The database
/// enforces the same rule (CHECK complaints_closed_has_root_cause).</summary>
public static class ClosureRules
{
    public static bool CanClose(int? rootCauseId) => rootCauseId is not null;
}

/// <summary>The customer's opinion of a standard reply.</summary>
public static class ReplyOpinions
{
    public const string Satisfied = "satisfied";
    public const string Neutral = "neutral";
    public const string Dissatisfied = "dissatisfied";

    public static readonly IReadOnlyList<string> All = [Satisfied, Neutral, Dissatisfied];
}

public static class StandardReplyStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Retired = "retired";

    public static readonly IReadOnlyList<string> All = [Pending, Approved, Rejected, Retired];
}

/// <summary>How a contact became a voice of a counted complaint.</summary>
public static class VoiceKinds
{
    /// <summary>The contact that opened the counted complaint.</summary>
    public const string Original = "original";
    /// <summary>The contact of a complaint merged into it.</summary>
    public const string Merged = "merged";
    /// <summary>A contact attached to it at intake.</summary>
    public const string Attached = "attached";
}

public static class CountingOptions
{
    /// <summary>Duplicate suggestion looks back this far (DOMAIN.md §4 counting rule 3).</summary>
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromDays(30);

    /// <summary>Minimum pg_trgm similarity for a duplicate suggestion.</summary>
    public const double DuplicateThreshold = 0.3;

    /// <summary>Minimum pg_trgm word similarity of a standard reply's matter to the complaint text.</summary>
    public const double ReplyMatchThreshold = 0.2;

    /// <summary>Hot-complaint reminder this long before the report is due.</summary>
    public static readonly TimeSpan HotReminderBefore = TimeSpan.FromHours(2);
}
