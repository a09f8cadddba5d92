using Dapper;
using ServiceHub.Tests.Complaints;

namespace ServiceHub.Tests.Reports;

/// <summary>
/// Contacts, complaints and emergencies written straight into the tables of a <see cref="ComplaintWorld"/> (its customer, project and
/// agent), so that every time of a hand-checked data set is exact where the desk would stamp the clock's time.
/// </summary>
public sealed class TableRecords(ComplaintWorld w, string prefix)
{
    private int _n;

    public async Task<long> ContactAsync(DateTimeOffset at, string kind, bool? satisfied, string channel = "phone")
    {
        var n = Interlocked.Increment(ref _n);
        await using var conn = await w.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("""
            INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, content, answer, satisfied, received_at, first_responder_id, created_at)
            VALUES (@no, @channel, @kind, @customer, @project, '内容', '答复', @satisfied, @at, @agent, @at) RETURNING id
            """, new { no = $"{prefix}-{n:0000}", channel, kind, customer = w.CustomerId, project = w.ProjectId, satisfied, at, agent = w.Agent.Id });
    }

    /// <summary>
    /// A complaint registered and dispatched to <paramref name="dept"/> at <paramref name="reg"/>: contact due after the urgency, first
    /// reply 48 hours later (or at the new deadline of an extension), with its timeline events (registered, extended, handled).
    /// </summary>
    public async Task<long> ComplaintAsync(int dept, DateTimeOffset reg, bool? counted, DateTimeOffset? contacted, string state,
        int? root = null, DateTimeOffset? handled = null, int level = 0, string channel = "phone", int urgency = 30, long? mergedInto = null,
        long? repeatOf = null, (DateTimeOffset At, DateTimeOffset NewDue)? extended = null)
    {
        var contactId = await ContactAsync(reg, "complaint", null, channel);
        await using var conn = await w.DataSource.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO complaints (sheet_no, contact_id, customer_id, project_id, channel, content, urgency_minutes, department_id, registered_by,
                registered_at, dispatched_at, contact_due_at, contacted_at, reply_due_at, handled_at, escalation_level, updated_at,
                root_cause_id, counted, count_reason, merged_into_id, repeat_of_complaint_id)
            VALUES (@sheetNo, @contactId, @customer, @project, @channel, '投诉内容', @urgency, @dept, @agent,
                @reg, @reg, @reg + make_interval(mins => @urgency), @contacted, @replyDue, @handled, @level, @reg,
                @root, @counted, CASE WHEN @counted = false THEN '重复登记' END, @mergedInto, @repeatOf)
            RETURNING id
            """, new
        {
            sheetNo = $"FY-{prefix}-{contactId}", contactId, customer = w.CustomerId, project = w.ProjectId, channel, urgency, dept, agent = w.Agent.Id,
            reg, contacted, replyDue = extended?.NewDue ?? reg.AddHours(48), handled, level, root, counted, mergedInto, repeatOf,
        });
        // The state row was created with the complaint ('registered'); its state and closure are set as the lifecycle sets them.
        await conn.ExecuteAsync("""
            UPDATE complaint_states SET state = @state, closed_at = CASE WHEN @state = 'closed' THEN @handled END WHERE complaint_id = @id
            """, new { id, state, handled });
        async Task Event(string kind, DateTimeOffset at, DateTimeOffset? before, DateTimeOffset? after) =>
            await conn.ExecuteAsync("""
                INSERT INTO complaint_events (complaint_id, at, actor_name, kind, details, deadline_before, deadline_after)
                VALUES (@id, @at, 'test', @kind, '', @before, @after)
                """, new { id, at, kind, before, after });
        await Event("registered", reg, null, reg.AddHours(48));
        if (extended is { } x) await Event("extended", x.At, reg.AddHours(48), x.NewDue);
        if (handled is { } h) await Event("handled", h, null, null);
        return id;
    }

    /// <summary>A first-class emergency reported at <paramref name="reported"/>, on site at <paramref name="arrived"/> (null: not yet).</summary>
    public async Task<long> EmergencyAsync(int dept, DateTimeOffset reported, DateTimeOffset? arrived)
    {
        await using var conn = await w.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("""
            INSERT INTO emergencies (kind, project_id, location, occurred_at, description, responsible_department_id, reported_by, reported_at, on_site_due_at,
                state, arrived_at, arrived_by, cause, scope, response)
            VALUES ('fire_explosion', @project, '3号楼', @reported, '起火', @dept, @agent, @reported, @reported + interval '2 hours',
                CASE WHEN @arrived IS NULL THEN 'reported' ELSE 'on_site' END, @arrived, CASE WHEN @arrived IS NOT NULL THEN @agent END,
                CASE WHEN @arrived IS NOT NULL THEN '原因' END, CASE WHEN @arrived IS NOT NULL THEN '范围' END, CASE WHEN @arrived IS NOT NULL THEN '处置' END)
            RETURNING id
            """, new { project = w.ProjectId, reported, dept, agent = w.Agent.Id, arrived });
    }
}
