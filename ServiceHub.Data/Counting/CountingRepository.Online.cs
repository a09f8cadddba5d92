using Dapper;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Data.Counting;

/// <summary>
/// Counting rule 4: an online complaint is one complaint however many posts or follow-ups, with the heat of the follow-ups and the
/// offline impact; a follow-up with new content is a new complaint.
/// </summary>
public sealed partial class CountingRepository
{
    public async Task<IReadOnlyList<SplitOff>> SplitOffsAsync(Actor actor, long complaintId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ComplaintRepository.RequireReadableAsync(conn, actor, complaintId, ct);
        return (await conn.QueryAsync<SplitOff>(new CommandDefinition(SplitOffsSql, new { complaintId }, cancellationToken: ct))).AsList();
    }

    /// <summary>The complaints split off from one (through <c>complaints_split_from_idx</c>).</summary>
    public const string SplitOffsSql = "SELECT id, sheet_no, registered_at, content FROM complaints WHERE split_from_id = @complaintId ORDER BY id";

    /// <summary>Online complaint data: the post, the number of follow-up posts, their heat and the offline impact.</summary>
    public async Task UpdateOnlineAsync(Actor actor, long complaintId, string? postUrl, int followUpCount, int heat, string offlineImpact, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Online);
        var errors = new Dictionary<string, FieldError>();
        if (!string.IsNullOrWhiteSpace(postUrl) && postUrl.Trim().Length > PostUrlMax) errors["PostUrl"] = new("Validation.TooLong", PostUrlMax);
        else if (!string.IsNullOrWhiteSpace(postUrl) && !(Uri.TryCreate(postUrl.Trim(), UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https")))
            errors["PostUrl"] = new("Counting.PostUrlInvalid");
        if (followUpCount < 0) errors["FollowUpCount"] = new("Counting.NotNegative");
        if (heat < 0) errors["Heat"] = new("Counting.NotNegative");
        TextInput.Check(errors, "OfflineImpact", offlineImpact, ImpactMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var url = string.IsNullOrWhiteSpace(postUrl) ? null : postUrl.Trim();
        await db.InTransactionAsync((conn, tx) => lifecycle.UpdateOnlineAsync(conn, tx, actor, complaintId, url, followUpCount, heat, (offlineImpact ?? "").Trim(), ct), ct);
    }

    /// <summary>
    /// A follow-up post with new content is a new complaint: a new contact and issue record sheet, linked to the original, counted on
    /// its own — and it belongs to the author of that follow-up, not to the original poster (issue #11 point 11). The author is known by
    /// their handle (a forum handle; a newspaper, a forwarding body for those channels): the customer with that handle, created without a
    /// phone the first time.
    /// </summary>
    public async Task<SplitResult> SplitFollowUpAsync(Actor actor, long originalId, string content, string author, CancellationToken ct = default)
    {
        ComplaintPermissions.RequireRole(actor, ComplaintAction.Split);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Content", content, ContentMax);
        TextInput.Check(errors, "Author", author, Admin.CustomerContacts.HandleMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var now = clock.GetUtcNow();
        var year = BusinessTime.ToLocal(now).Year;
        return await db.InTransactionAsync(async (conn, tx) =>
        {
            await ComplaintLifecycle.LockForAsync(conn, tx, actor, originalId, ComplaintAction.Split, ct);
            var o = await conn.QuerySingleAsync<(string SheetNo, int? ProjectId, string Channel, bool NeedsReturnVisit)>(
                new CommandDefinition("SELECT sheet_no, project_id, channel, needs_return_visit FROM complaints WHERE id = @originalId",
                    new { originalId }, tx, cancellationToken: ct));
            var customerId = await Admin.CustomerRepository.FindOrCreateByHandleAsync(conn, tx, audit, actor, Admin.CustomerContacts.For(o.Channel), author, now, ct);
            var text = content.Trim();
            var registerNo = await FormNumbering.NextAsync(conn, tx, FormTypes.ForChannel(o.Channel), year, ct);
            // The author's unit is not known: the split-off keeps the original's project, not its unit.
            var sheetNo = await FormNumbering.NextAsync(conn, tx, FormTypes.IssueSheet, year, ct);
            var contactId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO contacts (register_no, sheet_no, channel, kind, customer_id, project_id, unit_id, purpose, content, received_at, first_responder_id, created_at)
                VALUES (@registerNo, @sheetNo, @Channel, 'complaint', @customerId, @ProjectId, NULL, @purpose, @text, @now, @actorId, @now)
                RETURNING id
                """, new { registerNo, sheetNo, o.Channel, customerId, o.ProjectId, purpose = o.SheetNo, text, now, actorId = actor.Id }, tx, cancellationToken: ct));
            var id = await lifecycle.CreateAsync(conn, tx, actor, contactId, sheetNo, customerId, o.ProjectId, null, o.Channel, text, o.NeedsReturnVisit, now, ct);
            await lifecycle.LinkSplitOffAsync(conn, tx, actor, originalId, id, ct);
            return new SplitResult(id, sheetNo, contactId, registerNo, customerId);
        }, ct);
    }

    /// <summary>The longest complaint text (what the customer said).</summary>
    public const int ContentMax = 4000;
}
