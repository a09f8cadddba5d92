using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Home;

/// <summary>
/// The signed-in person's work at a glance, per role: each figure counts exactly what the page it links to lists first,
/// with the same scope (own department, own tasks) the rest of the app enforces.
/// </summary>
public sealed class WorkSummary(NpgsqlDataSource db, TimeProvider clock)
{
    public async Task<IReadOnlyList<WorkTile>> GetAsync(Actor me, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var today = BusinessTime.ToLocal(now).Date;
        var args = new
        {
            Me = me.Id,
            Dept = me.DepartmentId,
            Now = now,
            DayStart = BusinessTime.FromLocal(today),
            DayEnd = BusinessTime.FromLocal(today.AddDays(1)),
        };
        var tiles = new List<(string Role, string Key, string Count, string Href, bool Urgent)>();
        void Add(string role, string key, string count, string href, bool urgent) => tiles.Add((role, key, count, href, urgent));
        if (me.IsIn(Roles.Agent))
        {
            Add(Roles.Agent, "ContactsToday", "contacts WHERE first_responder_id = @Me AND received_at >= @DayStart AND received_at < @DayEnd", "/intake/contacts", false);
            Add(Roles.Agent, "HandoversOpen", "contacts WHERE first_responder_id = @Me AND handover_to_id IS NOT NULL AND handover_result IS NULL", "/intake/contacts", true);
        }
        if (me.IsIn(Access.DepartmentStaff) && me.DepartmentId is not null)
        {
            // The department's queue: on the handler's card, or the manager's when the manager is not also a handler.
            var queueRole = me.IsIn(Roles.Handler) ? Roles.Handler : Roles.DeptManager;
            // Both counted from the queue's partial index on the state rows alone (complaint_states_department_queue_idx, index-only).
            Add(queueRole, "QueueOpen", $"complaint_states st WHERE st.department_id = @Dept AND {ComplaintSql.InQueue}", "/complaints/queue", false);
            Add(queueRole, "QueueOverdue", $"complaint_states st WHERE st.department_id = @Dept AND {ComplaintSql.InQueue} AND st.current_due_at < @Now", "/complaints/queue", true);
        }
        if (me.IsIn(Roles.DeptManager) && me.DepartmentId is not null)
        {
            Add(Roles.DeptManager, "Escalated", $"complaint_states st JOIN complaints c ON c.id = st.complaint_id WHERE st.department_id = @Dept AND {ComplaintSql.InQueue} AND c.escalation_level >= 1", "/complaints/queue", true);
            Add(Roles.DeptManager, "EmergenciesOpen", $"emergencies e WHERE e.responsible_department_id = @Dept AND {EmergencySql.AwaitingArrival}",
                $"/emergencies?filter={EmergencyListFilters.Awaiting}&dept={me.DepartmentId}", true);
            Add(Roles.DeptManager, "PenaltiesToReview", "penalties WHERE department_id = @Dept AND state = 'proposed'", "/penalties", false);
        }
        if (me.IsIn(Roles.ReturnVisit))
        {
            Add(Roles.ReturnVisit, "VisitsToday", "return_visit_tasks WHERE assignee_id = @Me AND state IN ('open','escalated') AND scheduled_at < @DayEnd", "/return-visits", false);
            Add(Roles.ReturnVisit, "VisitsOverdue", "return_visit_tasks WHERE assignee_id = @Me AND state IN ('open','escalated') AND due_at < @Now", "/return-visits", true);
        }
        if (me.IsIn(Roles.CsSupervisor))
        {
            Add(Roles.CsSupervisor, "AwaitingVerification", "complaints WHERE counted IS NULL AND merged_into_id IS NULL", "/counting/verification", false);
            Add(Roles.CsSupervisor, "HotUnsent", "hot_complaints WHERE sent_at IS NULL", "/counting/hot", true);
            Add(Roles.CsSupervisor, "RepliesPending", "standard_replies WHERE status = 'pending'", "/counting/standard-replies", false);
            Add(Roles.CsSupervisor, "VisitsEscalated", "return_visit_tasks WHERE state = 'escalated'", "/return-visits", true);
            Add(Roles.CsSupervisor, "OthersToConfirm", $"emergencies e WHERE {EmergencySql.AwaitingConfirmation}", $"/emergencies?filter={EmergencyListFilters.Unconfirmed}", true);
        }
        if (me.IsIn(Roles.Hr))
        {
            Add(Roles.Hr, "PenaltiesToConfirm", "penalties WHERE state IN ('proposed','contested')", "/penalties", false);
            Add(Roles.Hr, "PenaltiesContested", "penalties WHERE state = 'contested'", "/penalties", true);
        }
        if (me.IsIn(Roles.Leadership))
        {
            Add(Roles.Leadership, "EmergenciesOpenAll", $"emergencies e WHERE {EmergencySql.AwaitingArrival}", $"/emergencies?filter={EmergencyListFilters.Awaiting}", true);
            Add(Roles.Leadership, "EscalatedToMe", $"complaint_states st JOIN complaints c ON c.id = st.complaint_id WHERE {ComplaintSql.InQueue} AND c.escalation_level >= 2 AND st.department_id IN (SELECT id FROM departments WHERE supervising_vp_id = @Me)", "/complaints", true);
        }
        if (me.IsIn(Roles.Leadership))
            Add(Roles.Leadership, "DestructionsPending", "info_records WHERE state = 'destroy_requested'", "/information", false);
        if (me.IsIn(Roles.Admin))
        {
            Add(Roles.Admin, "LockedAccounts", "users WHERE locked_until > @Now", "/admin/users", true);
            Add(Roles.Admin, "DestructionsPending", "info_records WHERE state = 'destroy_requested'", "/information", false);
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        // The Enterprise Development Dept's document administrator: formal documents not forwarded yet, on the card of their role.
        if (me.IsIn(Access.DepartmentStaff)
            && await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT coalesce((SELECT is_document_admin FROM users WHERE id = @Me), false)", args, cancellationToken: ct)))
            Add(me.IsIn(Roles.Handler) ? Roles.Handler : Roles.DeptManager, "DocumentsToForward",
                "formal_documents d WHERE NOT EXISTS (SELECT 1 FROM formal_document_forwards f WHERE f.document_id = d.id)", "/documents", true);
        if (tiles.Count == 0) return [];
        // Constant text only (the counted sets come from this method, never from input): one round trip, every value a parameter.
        var sql = string.Join("\nUNION ALL\n", tiles.Select((t, i) => $"SELECT {i} AS ord, (SELECT count(*) FROM {t.Count})::int AS count"));
        var counts = await conn.QueryAsync<(int Ord, int Count)>(new CommandDefinition(sql + "\nORDER BY ord", args, cancellationToken: ct));
        return counts.Select(c => (Tile: tiles[c.Ord], c.Count)).Select(x => new WorkTile(x.Tile.Role, x.Tile.Key, x.Count, x.Tile.Href, x.Tile.Urgent)).ToList();
    }
}
