namespace ServiceHub.Data.Complaints;

/// <summary>The states of a complaint from registration to closure (DOMAIN.md §4).</summary>
public static class ComplaintStates
{
    public const string Registered = "registered";
    public const string Dispatched = "dispatched";
    public const string Contacted = "contacted";
    public const string Handled = "handled";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [Registered, Dispatched, Contacted, Handled, Closed];
    /// <summary>Worked by its department (the department queue, when not merged).</summary>
    public static readonly IReadOnlyList<string> Open = [Dispatched, Contacted];
    /// <summary>Not handled yet: its reply deadline runs (unless merged) and its handler has it in hand.</summary>
    public static readonly IReadOnlyList<string> Unhandled = [Registered, Dispatched, Contacted];
}
