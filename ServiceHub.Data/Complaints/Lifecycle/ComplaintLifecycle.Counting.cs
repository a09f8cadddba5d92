using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Complaints;

/// <summary>
/// Counting's changes of a complaint (DOMAIN.md §4 counting rules 1–5): its final root cause, its verification, its merge group
/// (merge suspends the merged complaints' deadlines, an unmerge resumes them), the further voices attached to it, its online data
/// and its split-off follow-ups. The counting feature validates its input and calls these inside its transaction.
/// </summary>
public sealed partial class ComplaintLifecycle
{
    /// <summary>Counting rule 5: the final root cause (<paramref name="label"/> "parent / cause" for the timeline).</summary>
    internal async Task ClassifyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, int rootCauseId, string label, CancellationToken ct)
    {
        await LockForAsync(conn, tx, actor, id, ComplaintAction.Classify, ct);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET root_cause_id = @rootCauseId, updated_at = @now WHERE id = @id", new { id, rootCauseId, now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Classified, label, ct);
    }

    /// <summary>Counting rule 1: counted or not counted (with its reason), by the CS supervisor, on a group's surviving complaint.</summary>
    internal async Task VerifyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, bool counted, string? reason, CancellationToken ct)
    {
        await LockForAsync(conn, tx, actor, id, ComplaintAction.Verify, ct);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaints SET counted = @counted, count_reason = @reason, verified_by = @actorId, verified_at = @now, updated_at = @now
            WHERE id = @id
            """, new { id, counted, reason, actorId = actor.Id, now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Verified, (counted ? "counted" : "not-counted") + (reason is null ? "" : " · " + reason), ct);
    }

    /// <summary>Counting rule 3: the impact (影响) of a group, on its surviving complaint.</summary>
    internal async Task SetImpactAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, string impact, CancellationToken ct)
    {
        await LockForAsync(conn, tx, actor, id, ComplaintAction.Impact, ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET impact = @impact, updated_at = @now WHERE id = @id", new { id, impact, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
    }

    /// <summary>Counting rule 4: the post, the number of follow-up posts, their heat and the offline impact.</summary>
    internal async Task UpdateOnlineAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, string? postUrl, int followUpCount, int heat,
        string offlineImpact, CancellationToken ct)
    {
        await LockForAsync(conn, tx, actor, id, ComplaintAction.Online, ct);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaints SET post_url = @postUrl, follow_up_count = @followUpCount, heat = @heat, offline_impact = @offlineImpact, updated_at = @now
            WHERE id = @id
            """, new { id, postUrl, followUpCount, heat, offlineImpact, now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.OnlineUpdated, $"{followUpCount} · {heat}", ct);
    }

    /// <summary>
    /// Counting rule 3: merges a complaint (with its own merged complaints) into the group of <paramref name="survivorId"/>, whose head
    /// counts once. The merged complaints leave the department queue and their deadlines are suspended: the group is handled and
    /// escalated through its head only. <paramref name="action"/> is the supervisor's merge or the agent's attach at intake.
    /// </summary>
    internal async Task MergeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, string action, long survivorId, long mergedId, CancellationToken ct)
    {
        var (survivor, merged) = await LockPairAsync(conn, tx, survivorId, mergedId, ct);
        ComplaintPermissions.Require(actor, action, survivor.State, survivor.DepartmentId, survivor.MergedIntoSheetNo);
        var headId = survivor.MergedIntoId ?? survivor.Id;
        if (headId == merged.Id) throw new DomainException("Counting.MergeSelf");
        if (merged.MergedIntoId is not null) throw new DomainException("Counting.AlreadyMerged", merged.SheetNo);
        var head = headId == survivor.Id ? survivor : await LockAsync(conn, tx, headId, ct);
        var now = clock.GetUtcNow();
        var moved = (await conn.QueryAsync<(long Id, string SheetNo)>(new CommandDefinition("""
            UPDATE complaints SET merged_into_id = @headId, merged_at = @now, updated_at = @now
            WHERE id = @mergedId OR merged_into_id = @mergedId
            RETURNING id, sheet_no
            """, new { headId, mergedId = merged.Id, now }, tx, cancellationToken: ct))).AsList();
        foreach (var m in moved)
        {
            await AddEventAsync(conn, tx, m.Id, now, actor, ComplaintEvents.MergedInto, head.SheetNo, ct);
            await AddEventAsync(conn, tx, head.Id, now, actor, ComplaintEvents.Merged, m.SheetNo, ct);
        }
        await ScheduleAsync(conn, tx, moved.Select(m => m.Id).ToArray(), null, ct);
    }

    /// <summary>Undoes a merge: the complaint is its own counted complaint again, and its deadlines resume where they stood.</summary>
    internal async Task UnmergeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long id, CancellationToken ct)
    {
        var c = await LockForAsync(conn, tx, actor, id, ComplaintAction.Unmerge, ct);
        var head = await LockAsync(conn, tx, c.MergedIntoId!.Value, ct);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET merged_into_id = NULL, merged_at = NULL, updated_at = @now WHERE id = @id AND merged_into_id = @headId",
            new { id, headId = head.Id, now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, ComplaintEvents.Unmerged, head.SheetNo, ct);
        await AddEventAsync(conn, tx, head.Id, now, actor, ComplaintEvents.Unmerged, c.SheetNo, ct);
        // A deadline missed meanwhile escalates at the next sweep.
        await ScheduleAsync(conn, tx, [id], null, ct);
    }

    private static async Task<(Locked A, Locked B)> LockPairAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long a, long b, CancellationToken ct)
    {
        // Lock in id order so two concurrent merges of the same pair cannot deadlock.
        if (a < b) { var x = await LockAsync(conn, tx, a, ct); return (x, await LockAsync(conn, tx, b, ct)); }
        var y = await LockAsync(conn, tx, b, ct);
        return (await LockAsync(conn, tx, a, ct), y);
    }

    /// <summary>Counting rule 3 at intake: a contact without a complaint of its own becomes a further voice of the complaint's group.</summary>
    internal async Task AttachContactAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long complaintId, long contactId, CancellationToken ct)
    {
        var target = await LockForAsync(conn, tx, actor, complaintId, ComplaintAction.Attach, ct);
        var headId = target.MergedIntoId ?? target.Id;
        var now = clock.GetUtcNow();
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complaint_contacts (complaint_id, contact_id, attached_by, attached_at) VALUES (@headId, @contactId, @actorId, @now)
            ON CONFLICT DO NOTHING
            """, new { headId, contactId, actorId = actor.Id, now }, tx, cancellationToken: ct));
        if (n == 0) throw new DomainException("Counting.ContactAlreadyAttached");
        var registerNo = await conn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT register_no FROM contacts WHERE id = @contactId", new { contactId }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, headId, now, actor, ComplaintEvents.ContactAttached, registerNo ?? "", ct);
    }

    /// <summary>Counting rule 4: a follow-up post with new content, registered as complaint <paramref name="splitId"/>, is linked to the original.</summary>
    internal async Task LinkSplitOffAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Actor actor, long originalId, long splitId, CancellationToken ct)
    {
        var original = await LockForAsync(conn, tx, actor, originalId, ComplaintAction.Split, ct);
        var now = clock.GetUtcNow();
        var sheetNo = await conn.ExecuteScalarAsync<string>(new CommandDefinition("""
            UPDATE complaints s SET split_from_id = o.id, post_url = o.post_url FROM complaints o
            WHERE s.id = @splitId AND o.id = @originalId
            RETURNING s.sheet_no
            """, new { splitId, originalId }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, splitId, now, actor, ComplaintEvents.SplitFrom, original.SheetNo, ct);
        await AddEventAsync(conn, tx, originalId, now, actor, ComplaintEvents.SplitOff, sheetNo ?? "", ct);
    }
}
