namespace ServiceHub.Data.Complaints;

/// <summary>SQL fragments over a complaint aliased <c>c</c>, each the one definition of its rule, shared by every query that needs it.</summary>
public static class ComplaintSql
{
    /// <summary>
    /// The complaint's state row (<c>complaint_states</c>, sql/0310), aliased <c>st</c>: it owns <c>state</c>, <c>closed_at</c> and
    /// <c>close_reason</c>, and carries trigger-kept copies of <c>department_id</c>, <c>current_due_at</c>, <c>merged_into_id</c>,
    /// <c>registered_at</c>, <c>handled_at</c>, <c>root_cause_id</c>, <c>needs_return_visit</c>, <c>return_visit_unreachable_at</c>,
    /// <c>project_id</c>, <c>channel</c> and <c>counted</c> for its indexes (the queue, the closures, the list by state).
    /// </summary>
    public const string JoinState = "JOIN complaint_states st ON st.complaint_id = c.id";

    /// <summary>The same under an outer join: a record whose complaint <c>c</c> may be absent (a contact without one).</summary>
    public const string LeftJoinState = "LEFT JOIN complaint_states st ON st.complaint_id = c.id";

    /// <summary>The sheet number of the complaint <c>c</c> was merged into (null when not merged).</summary>
    public const string MergedIntoSheetNo = "(SELECT h.sheet_no FROM complaints h WHERE h.id = c.merged_into_id)";

    /// <summary>
    /// The department queue (DOMAIN.md §4): a complaint is worked by its department while dispatched or contacted; a merged complaint is
    /// out of it, handled (and escalated) through the complaint it was merged into (counting rule 3).
    /// </summary>
    public const string InQueue = "st.state IN ('dispatched','contacted') AND st.merged_into_id IS NULL";

    /// <summary>
    /// The one-week closure applies (DOMAIN.md §4 closure): the complaint needs no return visit, or its return visit could not reach the
    /// customer and the return-visit lead closed it as unreachable (issue #11 point 5). Read on the state row <c>st</c>: the partial index <c>complaint_states_autoclose_idx</c>
    /// has the same predicate.
    /// </summary>
    public const string ClosesByTheWeek = "(NOT st.needs_return_visit OR st.return_visit_unreachable_at IS NOT NULL)";

    /// <summary>
    /// A repeat complaint <c>r</c> of the complaint whose state row is <c>st</c> that stops its one-week closure: registered after <c>c</c> was handled and inside the
    /// week (<see cref="ReturnVisits.Closure.RepeatReopens"/>); a repeat after the week never blocks the closure.
    /// </summary>
    public static readonly string RepeatInsideTheWeek =
        $"(r.registered_at >= st.handled_at AND r.registered_at < st.handled_at + interval '{ReturnVisits.Closure.AutoCloseAfter.TotalSeconds:0} seconds')";

    /// <summary>The warning time of the deadline that is next due (<c>current_due_at</c>): when its countdown turns amber.</summary>
    public const string CurrentWarnAt = $"""
        (SELECT d.warn_at FROM complaint_deadlines d
         WHERE d.complaint_id = c.id AND d.active AND d.kind IN ({DeadlineKinds.EscalatingSql}) AND d.due_at = c.current_due_at ORDER BY d.kind LIMIT 1)
        """;
}
