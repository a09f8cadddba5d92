using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Complaints;

/// <summary>
/// Reading complaints (DOMAIN.md §4): one complaint with its timeline, the department queue, the list, the escalations. Every change
/// of a complaint goes through <see cref="ComplaintLifecycle"/>.
/// </summary>
public sealed class ComplaintRepository(NpgsqlDataSource db, AuditLog audit)
{
    private const string SelectDetail = $"""
        SELECT c.id, c.sheet_no, c.contact_id, ct.register_no, c.customer_id, cu.name AS customer_name, c.project_id, p.name AS project_name,
               CASE WHEN un.id IS NULL THEN NULL ELSE p.name || ' ' || b.name || ' ' || un.number END AS address,
               c.channel, c.content, st.state, c.urgency_minutes, c.department_id, d.name AS department_name,
               c.handler_id, h.display_name AS handler_name, c.registered_by, rb.display_name AS registered_by_name, c.registered_at,
               c.dispatched_at, c.contact_due_at, c.contacted_at, c.contact_method, c.reply_due_at, c.resolution, c.reply, c.reply_forbidden_phrases,
               c.handled_at, c.needs_return_visit, st.closed_at, st.close_reason, c.escalation_level, c.current_due_at,
               {ComplaintSql.MergedIntoSheetNo} AS merged_into_sheet_no, dc.warn_at AS contact_warn_at, dr.warn_at AS reply_warn_at,
               cu.phone AS customer_phone_masked,
               c.contact_logged_at, c.contact_time_note,
               c.feedback_due_at, df.warn_at AS feedback_warn_at, c.feedback_given_at, coalesce(df.active, false) AS feedback_running,
               c.agreed_reply_at, da.warn_at AS agreed_warn_at, coalesce(da.active, false) AS agreed_running, c.return_visit_unreachable_at
        FROM complaints c
        {ComplaintSql.JoinState}
        JOIN contacts ct ON ct.id = c.contact_id
        JOIN customers cu ON cu.id = c.customer_id
        JOIN users rb ON rb.id = c.registered_by
        LEFT JOIN users h ON h.id = c.handler_id
        LEFT JOIN departments d ON d.id = c.department_id
        LEFT JOIN projects p ON p.id = c.project_id
        LEFT JOIN units un ON un.id = c.unit_id
        LEFT JOIN buildings b ON b.id = un.building_id
        LEFT JOIN complaint_deadlines dc ON dc.complaint_id = c.id AND dc.kind = 'contact'
        LEFT JOIN complaint_deadlines dr ON dr.complaint_id = c.id AND dr.kind = 'reply'
        LEFT JOIN complaint_deadlines df ON df.complaint_id = c.id AND df.kind = 'feedback'
        LEFT JOIN complaint_deadlines da ON da.complaint_id = c.id AND da.kind = 'agreed'
        """;

    /// <summary>Who may read a complaint: the CS side, leadership, HR and return visits read all; a department reads its own.</summary>
    public static bool MayRead(Actor actor, int? departmentId) =>
        actor.IsIn(Access.EveryDepartmentsComplaints)
        || (actor.IsIn(Access.DepartmentStaff) && departmentId is not null && actor.DepartmentId == departmentId);

    public async Task<ComplaintDetail?> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var c = await conn.QuerySingleOrDefaultAsync<ComplaintDetail>(new CommandDefinition(SelectDetail + " WHERE c.id = @id", new { id }, cancellationToken: ct));
        // The first responder follows what they registered, also on site before it is dispatched (DOMAIN.md §3).
        if (c is not null && !MayRead(actor, c.DepartmentId) && c.RegisteredBy != actor.Id) throw new ForbiddenException(actor.UserName, [Roles.Handler]);
        // The phone is read to be masked here: the full number leaves only through RevealCustomerPhoneAsync, audited.
        return c is null ? null : c with { CustomerPhoneMasked = Masking.Phone(c.CustomerPhoneMasked) };
    }

    /// <summary>The customer's phones, shown in full on the complaint page so the department can call.</summary>
    public sealed record CustomerPhones(int CustomerId, string Phone, string? Phone2);

    /// <summary>
    /// The complaint page's "show number": the customer's phones in full when <see cref="ComplaintPermissions.MaySeeCustomerPhone"/>
    /// allows it to <paramref name="actor"/> now (read on the locked complaint), written to the audit log in the same transaction;
    /// refused otherwise, and nothing is shown.
    /// </summary>
    public async Task<CustomerPhones> RevealCustomerPhoneAsync(Actor actor, long complaintId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string SheetNo, string State, int? DepartmentId, bool Merged, int CustomerId, string Phone, string? Phone2)>(
            new CommandDefinition($"""
                SELECT c.sheet_no, st.state, c.department_id, c.merged_into_id IS NOT NULL, cu.id, cu.phone, cu.phone2
                FROM complaints c {ComplaintSql.JoinState} JOIN customers cu ON cu.id = c.customer_id
                WHERE c.id = @complaintId
                FOR SHARE OF c, st
                """, new { complaintId }, tx, cancellationToken: ct));
        if (row == default) throw new DomainException("NotFound");
        if (!ComplaintPermissions.MaySeeCustomerPhone(actor, row.State, row.DepartmentId, row.Merged))
            throw new ForbiddenException(actor.UserName, [.. Access.PrivateData, Roles.Handler, Roles.DeptManager]);
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.PrivateDataViewed, "customer", row.CustomerId.ToString(), $"complaint {row.SheetNo}", ct);
        await tx.CommitAsync(ct);
        return new CustomerPhones(row.CustomerId, row.Phone, row.Phone2);
    }

    /// <summary>
    /// Refuses <paramref name="actor"/> a read of anything of complaint <paramref name="complaintId"/> (its timeline, its counting panel,
    /// its split-offs) unless they may read the complaint itself (<see cref="MayRead"/>, or they registered it). An unknown complaint
    /// passes: the read then finds nothing.
    /// </summary>
    internal static async Task RequireReadableAsync(NpgsqlConnection conn, Actor actor, long complaintId, CancellationToken ct)
    {
        if (MayRead(actor, null)) return;
        var row = await conn.QuerySingleOrDefaultAsync<(int? DepartmentId, int RegisteredBy)>(new CommandDefinition(
            "SELECT department_id, registered_by FROM complaints WHERE id = @complaintId", new { complaintId }, cancellationToken: ct));
        if (row != default && !MayRead(actor, row.DepartmentId) && row.RegisteredBy != actor.Id) throw new ForbiddenException(actor.UserName, [Roles.Handler]);
    }

    public async Task<IReadOnlyList<ComplaintEvent>> TimelineAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await RequireReadableAsync(conn, actor, id, ct);
        return (await conn.QueryAsync<ComplaintEvent>(new CommandDefinition(
            "SELECT id, at, actor_name, kind, details, deadline_before, deadline_after FROM complaint_events WHERE complaint_id = @id ORDER BY id",
            new { id }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// The queue's rows, on the state row <c>st</c> alone (its copies of the department, the project and the merge): the partial index
    /// <c>complaint_states_department_queue_idx</c> holds exactly them, in the page's order. The urgency is the complaint's own.
    /// </summary>
    private const string QueueWhere = $"""
        WHERE st.department_id = @DepartmentId AND {ComplaintSql.InQueue}
          AND (@ProjectId IS NULL OR st.project_id = @ProjectId)
          AND (@State IS NULL OR st.state = @State)
        """;

    /// <summary>Whether the queue may show another department's complaints than the actor's own (<see cref="Access.EveryDepartmentsComplaints"/>).</summary>
    public static bool MayChooseQueueDepartment(Actor actor) => actor.IsIn(Access.EveryDepartmentsComplaints);

    /// <summary>A department's open complaints, most urgent (nearest deadline) first; server-paged.</summary>
    public async Task<Page<QueueItem>> QueueAsync(Actor actor, QueueFilter filter, int skip, int take, CancellationToken ct = default)
    {
        if (!MayRead(actor, filter.DepartmentId)) throw new ForbiddenException(actor.UserName, Access.DepartmentStaff);
        var args = new { filter.DepartmentId, filter.ProjectId, filter.UrgencyMinutes, filter.State, Skip = Search.Skip(skip), Take = Search.Take(take) };
        await using var conn = await db.OpenConnectionAsync(ct);
        // The page and its total in one round trip (two statements of one batch); the unfiltered total is the department's kept one.
        var countSql = filter is { ProjectId: null, UrgencyMinutes: null, State: null } ? QueueTotalSql : QueueCountSql;
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(QueuePageSql + ";\n" + countSql, args, cancellationToken: ct));
        var items = (await grid.ReadAsync<QueueItem>()).AsList();
        var total = await grid.ReadSingleAsync<int>();
        return new Page<QueueItem>(items, total);
    }

    /// <summary>
    /// The queue's unfiltered total, kept per department by the triggers of sql/0320 (<c>department_queue_totals</c>) in the statement
    /// that moves a complaint in or out of a queue: one row read, whatever the queue's size and however long since the last vacuum.
    /// </summary>
    public const string QueueTotalSql = "SELECT coalesce((SELECT t.total FROM department_queue_totals t WHERE t.department_id = @DepartmentId), 0)";

    /// <summary>
    /// The queue's total under a filter (project, urgency, state): without an urgency filter an index-only count of <c>complaint_states_department_queue_idx</c> (no wide row is
    /// read); with one, each candidate's urgency read from its complaint by primary key (a scalar subquery: never a hash of all
    /// complaints of that urgency, which the planner chose for an EXISTS at 300,000 complaints, 66 ms instead of 19).
    /// </summary>
    public const string QueueCountSql = $"""
        SELECT count(*)::int FROM complaint_states st
        {QueueWhere}
          AND (@UrgencyMinutes IS NULL OR (SELECT u.urgency_minutes FROM complaints u WHERE u.id = st.complaint_id) = @UrgencyMinutes)
        """;

    public const string QueuePageSql = $"""
        SELECT c.id, c.sheet_no, st.state, cu.name AS customer_name, p.name AS project_name, c.content, c.urgency_minutes,
               c.registered_at, c.contact_due_at, c.reply_due_at, c.current_due_at, c.escalation_level, h.display_name AS handler_name,
               {ComplaintSql.CurrentWarnAt} AS current_warn_at,
               c.feedback_due_at, df.warn_at AS feedback_warn_at, c.feedback_given_at, coalesce(df.active, false) AS feedback_running
        FROM complaint_states st
        JOIN complaints c ON c.id = st.complaint_id
        JOIN customers cu ON cu.id = c.customer_id
        LEFT JOIN projects p ON p.id = c.project_id
        LEFT JOIN users h ON h.id = c.handler_id
        LEFT JOIN complaint_deadlines df ON df.complaint_id = c.id AND df.kind = 'feedback'
        {QueueWhere}
          AND (@UrgencyMinutes IS NULL OR c.urgency_minutes = @UrgencyMinutes)
        ORDER BY st.current_due_at NULLS LAST, st.complaint_id
        OFFSET @Skip LIMIT @Take
        """;

    public sealed record ListItem(long Id, string SheetNo, string State, string CustomerName, string? ProjectName, string? DepartmentName, string Channel,
        string Content, DateTimeOffset RegisteredAt, DateTimeOffset? CurrentDueAt, int EscalationLevel, string? MergedIntoSheetNo, DateTimeOffset? CurrentWarnAt)
    {
        /// <summary>The countdown to its next deadline; none when no deadline runs (handled, closed, or merged into another complaint).</summary>
        public DeadlineCountdown? Countdown => DeadlineCountdown.Of(CurrentDueAt, CurrentWarnAt);
    }

    private const string ListWhere = """
        WHERE (@Text IS NULL OR c.sheet_no ILIKE @Text OR c.content ILIKE @Text OR cu.name ILIKE @Text)
          AND (@DepartmentId IS NULL OR c.department_id = @DepartmentId)
        """;

    /// <summary>
    /// The list's total, the same rows as its pages. The state rows are joined only to filter by a state; without a text no customer
    /// is read (every complaint has one) and, with a state, no complaint either: the state rows alone, an open state's in
    /// complaint_states_unclosed_state_idx. (Joining the state rows for a total that needs none made the count of all complaints 4.5
    /// times as long: 300,000 complaints, 258 ms against 58.)
    /// </summary>
    public static string ListCountSql(bool text, bool state) => (text, state) switch
    {
        (true, false) => $"SELECT count(*) FROM complaints c JOIN customers cu ON cu.id = c.customer_id {ListWhere}",
        (true, true) => $"SELECT count(*) FROM complaints c {ComplaintSql.JoinState} JOIN customers cu ON cu.id = c.customer_id {ListWhere} AND st.state = @State",
        (false, true) => "SELECT count(*) FROM complaint_states st WHERE st.state = @State AND (@DepartmentId IS NULL OR st.department_id = @DepartmentId)",
        (false, false) => "SELECT count(*) FROM complaints c WHERE (@DepartmentId IS NULL OR c.department_id = @DepartmentId)",
    };

    /// <summary>All complaints, newest first, for the CS side, leadership, HR and return visits; a department sees its own.</summary>
    public async Task<Page<ListItem>> SearchAsync(Actor actor, string? text, string? state, int? departmentId, int skip, int take, CancellationToken ct = default)
    {
        if (!actor.IsIn(Access.EveryDepartmentsComplaints))
        {
            actor.Require(Access.DepartmentStaff);
            departmentId = actor.DepartmentId ?? -1;
        }
        var args = new { Text = Search.Contains(text), State = state, DepartmentId = departmentId, Skip = Search.Skip(skip), Take = Search.Take(take) };
        // Newest first: an open state's complaints in the order of complaint_states_unclosed_state_idx (state, registered_at DESC), the
        // rest in that of complaints_registered_idx (the same order: st.registered_at is the complaint's, copied).
        var order = state is null || state == ComplaintStates.Closed ? "c.registered_at DESC, c.id DESC" : "st.registered_at DESC, st.complaint_id DESC";
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<ListItem>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, st.state, cu.name AS customer_name, p.name AS project_name, d.name AS department_name, c.channel,
                   c.content, c.registered_at, c.current_due_at, c.escalation_level,
                   {ComplaintSql.MergedIntoSheetNo} AS merged_into_sheet_no, {ComplaintSql.CurrentWarnAt} AS current_warn_at
            FROM complaints c
            {ComplaintSql.JoinState}
            JOIN customers cu ON cu.id = c.customer_id
            LEFT JOIN projects p ON p.id = c.project_id
            LEFT JOIN departments d ON d.id = c.department_id
            {ListWhere}
              AND (@State IS NULL OR st.state = @State)
            ORDER BY {order}
            OFFSET @Skip LIMIT @Take
            """, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition(ListCountSql(args.Text is not null, state is not null), args, cancellationToken: ct));
        return new Page<ListItem>(items.AsList(), total);
    }

    /// <summary>The manager's view: escalated deadlines of the department's complaints, newest first.</summary>
    public async Task<IReadOnlyList<EscalationItem>> EscalationsAsync(Actor actor, int departmentId, int take = 100, CancellationToken ct = default)
    {
        if (!MayRead(actor, departmentId)) throw new ForbiddenException(actor.UserName, [Roles.DeptManager]);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<EscalationItem>(new CommandDefinition($"""
            SELECT c.id AS complaint_id, c.sheet_no, e.details AS kind, substr(e.kind, 10) AS stage, e.deadline_before AS due_at, e.at, st.state, cu.name AS customer_name
            FROM complaint_events e
            JOIN complaints c ON c.id = e.complaint_id
            {ComplaintSql.JoinState}
            JOIN customers cu ON cu.id = c.customer_id
            WHERE c.department_id = @departmentId AND e.kind IN ('deadline-level1','deadline-level2')
            ORDER BY e.at DESC, e.id DESC
            LIMIT @take
            """, new { departmentId, take = Search.Take(take) }, cancellationToken: ct))).AsList();
    }
}
