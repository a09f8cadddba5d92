using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>
/// Hot complaints (热点投诉, DOMAIN.md §4): flagged by the CS supervisor, reported to the group within one working day in five parts
/// (content, cause analysis, current status, difficulties, help needed); reminders before the due time, an overdue flag after it.
/// </summary>
public sealed class HotComplaintRepository(NpgsqlDataSource db, TimeProvider clock, CalendarRepository calendar)
{
    private const string Select = """
        SELECT h.id, h.complaint_id, c.sheet_no, p.name AS project_name, cu.name AS customer_name, c.content AS complaint_content,
               fb.display_name AS flagged_by_name, h.flagged_at, h.due_at, h.content, h.cause_analysis, h.current_status, h.difficulties,
               h.help_needed, h.sent_at, sb.display_name AS sent_by_name, h.overdue_at
        FROM hot_complaints h
        JOIN complaints c ON c.id = h.complaint_id
        JOIN customers cu ON cu.id = c.customer_id
        JOIN users fb ON fb.id = h.flagged_by
        LEFT JOIN users sb ON sb.id = h.sent_by
        LEFT JOIN projects p ON p.id = c.project_id
        """;

    /// <summary>Flags a hot complaint; the report is due one working day later. The content part starts as the complaint's text.</summary>
    public async Task<int> FlagAsync(Actor actor, long complaintId, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.FlagHot);
        var cal = await calendar.LoadAsync(ct);
        var now = clock.GetUtcNow();
        var due = WorkingDays.AddOneWorkingDay(now, cal);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var content = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT content FROM complaints WHERE id = @complaintId FOR UPDATE", new { complaintId }, tx, cancellationToken: ct))
            ?? throw new DomainException("NotFound");
        var id = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            INSERT INTO hot_complaints (complaint_id, flagged_by, flagged_at, due_at, content) VALUES (@complaintId, @actorId, @now, @due, @content)
            ON CONFLICT (complaint_id) DO NOTHING RETURNING id
            """, new { complaintId, actorId = actor.Id, now, due, content }, tx, cancellationToken: ct))
            ?? throw new DomainException("Counting.Hot.AlreadyFlagged");
        await ComplaintLifecycle.RecordHotFlaggedAsync(conn, tx, actor, complaintId, due, now, ct);
        await tx.CommitAsync(ct);
        return id;
    }

    public async Task<HotComplaint?> GetAsync(Actor actor, int id, CancellationToken ct = default)
    {
        actor.Require(Access.HotComplaints);
        return await LoadAsync(id, ct);
    }

    private async Task<HotComplaint?> LoadAsync(int id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<HotComplaint>(new CommandDefinition(Select + " WHERE h.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>The hot-complaint report of a complaint, for whoever may read the complaint (its counting panel).</summary>
    public async Task<HotComplaint?> ForComplaintAsync(Actor actor, long complaintId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ComplaintRepository.RequireReadableAsync(conn, actor, complaintId, ct);
        return await conn.QuerySingleOrDefaultAsync<HotComplaint>(new CommandDefinition(Select + " WHERE h.complaint_id = @complaintId", new { complaintId }, cancellationToken: ct));
    }

    /// <summary>Open reports (not sent) by due time, or the reports sent, newest first.</summary>
    public async Task<IReadOnlyList<HotComplaint>> ListAsync(Actor actor, bool sent, CancellationToken ct = default)
    {
        actor.Require(Access.HotComplaints);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<HotComplaint>(new CommandDefinition(Select + (sent
            ? " WHERE h.sent_at IS NOT NULL ORDER BY h.sent_at DESC"
            : " WHERE h.sent_at IS NULL ORDER BY h.due_at"), cancellationToken: ct))).AsList();
    }

    public async Task SaveReportAsync(Actor actor, int id, HotReport report, CancellationToken ct = default)
    {
        actor.Require(Access.Supervisor);
        var errors = report.Check(complete: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE hot_complaints SET content = @Content, cause_analysis = @CauseAnalysis, current_status = @CurrentStatus,
                difficulties = @Difficulties, help_needed = @HelpNeeded
            WHERE id = @id AND sent_at IS NULL
            """, new
            {
                id, Content = report.Content?.Trim(), CauseAnalysis = report.CauseAnalysis?.Trim(), CurrentStatus = report.CurrentStatus?.Trim(),
                Difficulties = report.Difficulties?.Trim(), HelpNeeded = report.HelpNeeded?.Trim(),
            }, cancellationToken: ct));
        if (n == 0) throw new DomainException("Counting.Hot.AlreadySent");
    }

    /// <summary>Records the report as sent to the group; all five parts are required.</summary>
    public async Task MarkSentAsync(Actor actor, int id, CancellationToken ct = default)
    {
        actor.Require(Access.Supervisor);
        var h = await LoadAsync(id, ct) ?? throw new DomainException("NotFound");
        var errors = new HotReport(h.Content, h.CauseAnalysis, h.CurrentStatus, h.Difficulties, h.HelpNeeded).Check(complete: true);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var n = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE hot_complaints SET sent_at = @now, sent_by = @actorId WHERE id = @id AND sent_at IS NULL",
            new { id, now, actorId = actor.Id }, tx, cancellationToken: ct));
        if (n == 0) throw new DomainException("Counting.Hot.AlreadySent");
        await ComplaintLifecycle.RecordHotReportSentAsync(conn, tx, actor, h.ComplaintId, now, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The recurring sweep: a reminder to the CS supervisors <see cref="CountingOptions.HotReminderBefore"/> before the due time, and
    /// the overdue flag with a notification after it. Guarded UPDATEs and notification dedupe keys make a repeat change nothing.
    /// </summary>
    public async Task<HotSweepResult> SweepAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var supervisors = (await conn.QueryAsync<int>(new CommandDefinition(
            "SELECT id FROM users WHERE is_active AND 'cs_supervisor' = ANY (roles)", transaction: tx, cancellationToken: ct))).AsList();
        var remind = (await conn.QueryAsync<(int Id, long ComplaintId, string SheetNo, DateTimeOffset DueAt)>(new CommandDefinition("""
            UPDATE hot_complaints h SET reminded_at = @now FROM complaints c
            WHERE c.id = h.complaint_id AND h.sent_at IS NULL AND h.reminded_at IS NULL AND h.due_at - @before <= @now AND h.due_at > @now
            RETURNING h.id, h.complaint_id, c.sheet_no, h.due_at
            """, new { now, before = CountingOptions.HotReminderBefore }, tx, cancellationToken: ct))).AsList();
        foreach (var r in remind)
            await NotificationRepository.NotifyAsync(conn, tx, supervisors, now, "hot", r.ComplaintId, "Counting.Notify.HotDueSoon",
                [r.SheetNo, BusinessTime.Format(r.DueAt)], $"/counting/hot/{r.Id}", $"hot-remind:{r.Id}", ct);
        var overdue = (await conn.QueryAsync<(int Id, long ComplaintId, string SheetNo, DateTimeOffset DueAt)>(new CommandDefinition("""
            UPDATE hot_complaints h SET overdue_at = @now FROM complaints c
            WHERE c.id = h.complaint_id AND h.sent_at IS NULL AND h.overdue_at IS NULL AND h.due_at <= @now
            RETURNING h.id, h.complaint_id, c.sheet_no, h.due_at
            """, new { now }, tx, cancellationToken: ct))).AsList();
        foreach (var r in overdue)
            await NotificationRepository.NotifyAsync(conn, tx, supervisors, now, "hot", r.ComplaintId, "Counting.Notify.HotOverdue",
                [r.SheetNo, BusinessTime.Format(r.DueAt)], $"/counting/hot/{r.Id}", $"hot-overdue:{r.Id}", ct);
        await tx.CommitAsync(ct);
        return new HotSweepResult(remind.Count, overdue.Count);
    }
}
