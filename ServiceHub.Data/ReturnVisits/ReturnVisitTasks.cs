using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.ReturnVisits;

/// <summary>
/// Creating return-visit tasks (DOMAIN.md §5: the CS dept designates a person for the return visit) inside the caller's transaction:
/// the handling of a complaint that needs a return visit, and the sampling of consultations.
/// </summary>
public static class ReturnVisitTasks
{
    public const string CsDepartmentCode = "CS";

    internal const string SelectSettings = """
        SELECT assign_rule, due_hours, max_failed_attempts, consultation_sample_percent, last_assignee_id, unreachable_after_days FROM return_visit_settings
        """;

    /// <summary>The designated person by the supervisor's rule: the next team member in turn, or the CS department's return-visit lead.</summary>
    internal static async Task<int?> PickAssigneeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ReturnVisitSettings settings, CancellationToken ct)
    {
        if (settings.AssignRule == AssignRules.Lead)
        {
            var lead = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
                SELECT d.return_visit_lead_id FROM departments d JOIN users u ON u.id = d.return_visit_lead_id AND u.is_active
                WHERE d.code = @code
                """, new { code = CsDepartmentCode }, tx, cancellationToken: ct));
            if (lead is not null) return lead;
        }
        return await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            SELECT id FROM users WHERE is_active AND 'return_visit' = ANY (roles)
            ORDER BY (id <= coalesce(@last, 0)), id
            LIMIT 1
            """, new { last = settings.LastAssigneeId }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Called in the handling transaction: a handled complaint that needs a return visit gets exactly one open task (the partial unique
    /// index refuses a second), assigned by the supervisor's rule and due within the configured hours. Returns the task id, or null.
    /// </summary>
    public static async Task<long?> CreateForHandledAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, DateTimeOffset now, CancellationToken ct)
    {
        var c = await conn.QuerySingleOrDefaultAsync<(bool NeedsReturnVisit, int CustomerId, int? DepartmentId, string SheetNo)?>(new CommandDefinition(
            $"SELECT c.needs_return_visit, c.customer_id, c.department_id, c.sheet_no FROM complaints c {ComplaintSql.JoinState} WHERE c.id = @complaintId AND st.state = 'handled'",
            new { complaintId }, tx, cancellationToken: ct));
        if (c is not { NeedsReturnVisit: true } complaint) return null;
        // The settings row lock also serialises the round robin.
        var settings = await conn.QuerySingleAsync<ReturnVisitSettings>(new CommandDefinition(SelectSettings + " FOR UPDATE", transaction: tx, cancellationToken: ct));
        var assignee = await PickAssigneeAsync(conn, tx, settings, ct);
        var due = now.AddHours(settings.DueHours);
        var taskId = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO return_visit_tasks (kind, complaint_id, customer_id, department_id, assignee_id, due_at, scheduled_at, created_at)
            VALUES ('complaint', @complaintId, @CustomerId, @DepartmentId, @assignee, @due, @now, @now)
            ON CONFLICT (complaint_id) WHERE state IN ('open','escalated') DO NOTHING
            RETURNING id
            """, new { complaintId, complaint.CustomerId, complaint.DepartmentId, assignee, due, now }, tx, cancellationToken: ct));
        if (taskId is null) return null;
        if (assignee is { } a)
        {
            await conn.ExecuteAsync(new CommandDefinition("UPDATE return_visit_settings SET last_assignee_id = @a", new { a }, tx, cancellationToken: ct));
            await NotificationRepository.NotifyAsync(conn, tx, [a], now, "return-visit", complaintId, "ReturnVisit.Notify.Assigned",
                [complaint.SheetNo, BusinessTime.Format(due)], $"/return-visits/{taskId}", $"rv-assigned:{taskId}:{a}", ct);
        }
        return taskId;
    }

    /// <summary>
    /// The CS supervisor decided the complaint needs no return visit: its open visit is cancelled (attempts kept), in the caller's
    /// transaction; a closure that waited for the root cause after a satisfied visit is left as it is.
    /// </summary>
    internal static Task CancelOpenAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            "UPDATE return_visit_tasks SET state = 'cancelled', completed_at = @now WHERE complaint_id = @complaintId AND state IN ('open','escalated')",
            new { complaintId, now }, tx, cancellationToken: ct));
}
