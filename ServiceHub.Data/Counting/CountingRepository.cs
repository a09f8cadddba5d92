using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Data.Counting;

public sealed record RootCause(int Id, int? ParentId, string Name, string NameEn, string Definition, bool IsActive, int SortOrder);

/// <summary>The counting view of a complaint: classification, verification, its merge group and its online data.</summary>
public sealed record CountingInfo(
    long Id, string SheetNo, int CustomerId, string CustomerName, int? ProjectId, string? ProjectName, int? DepartmentId, string Channel,
    string Content, string State, DateTimeOffset RegisteredAt, int? RootCauseId, string? RootCauseName, string? RootCauseNameEn,
    bool? Counted, string? CountReason, string? VerifiedByName, DateTimeOffset? VerifiedAt,
    long? MergedIntoId, string? MergedIntoSheetNo, string Impact, string? PostUrl, int FollowUpCount, int Heat, string OfflineImpact,
    long? SplitFromId, string? SplitFromSheetNo, int Complainants, int Times);

/// <summary>One contact that raised the counted complaint.</summary>
public sealed record Voice(
    long ContactId, string RegisterNo, DateTimeOffset ReceivedAt, int CustomerId, string CustomerName, string Channel, string Content,
    long ComplaintId, string SheetNo, string How);

public sealed record GroupMember(long Id, string SheetNo, string CustomerName, DateTimeOffset RegisteredAt, string Content, DateTimeOffset? MergedAt);

public sealed record SplitOff(long Id, string SheetNo, DateTimeOffset RegisteredAt, string Content);

public sealed record DuplicateSuggestion(long Id, string SheetNo, string Content, DateTimeOffset RegisteredAt, string State, string CustomerName, double Score);

public sealed record VerificationItem(
    long Id, string SheetNo, DateTimeOffset RegisteredAt, string CustomerName, string? ProjectName, string Content, string? RootCauseName,
    string? RootCauseNameEn, int Complainants, int Times);

public sealed record SplitResult(long ComplaintId, string SheetNo, long ContactId, string RegisterNo);

/// <summary>
/// Counting rules 1–5 (DOMAIN.md §4): classification by final root cause, statistics verification, one counted complaint however
/// many voices (merge / un-merge, contacts attached at intake), online follow-ups and split-offs, duplicate suggestion.
/// Every change is an event on the complaint's timeline.
/// </summary>
public sealed class CountingRepository(NpgsqlDataSource db, TimeProvider clock, ComplaintRepository complaints)
{
    public static class Events
    {
        public const string Classified = "classified";
        public const string Verified = "verified";
        public const string Merged = "merged";
        public const string MergedInto = "merged-into";
        public const string Unmerged = "unmerged";
        public const string ContactAttached = "contact-attached";
        public const string OnlineUpdated = "online-updated";
        public const string SplitOff = "split-off";
        public const string SplitFrom = "split-from";
    }

    public static readonly string[] SupervisorRoles = [Roles.CsSupervisor, Roles.Admin];

    internal static Task AddEventAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long complaintId, DateTimeOffset at, Actor actor, string kind,
        string details, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complaint_events (complaint_id, at, actor_id, actor_name, kind, details)
            VALUES (@complaintId, @at, @actorId, @actorName, @kind, @details)
            """, new { complaintId, at, actorId = actor.Id == 0 ? (int?)null : actor.Id, actorName = actor.DisplayName, kind, details }, tx, cancellationToken: ct));

    private static ValidationFailedException Invalid(string field, string code, params object[] args) =>
        new(new Dictionary<string, FieldError> { [field] = new(code, args) });

    private sealed record Locked(long Id, string SheetNo, string State, int? DepartmentId, long? MergedIntoId);

    private static async Task<Locked> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition(
            "SELECT id, sheet_no, state, department_id, merged_into_id FROM complaints WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct))
        ?? throw new DomainException("NotFound");

    // ---------------------------------------------------------------- root causes (counting rule 5)

    public async Task<IReadOnlyList<RootCause>> RootCausesAsync(bool activeOnly = false, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RootCause>(new CommandDefinition("""
            SELECT r.id, r.parent_id, r.name, r.name_en, r.definition, r.is_active, r.sort_order
            FROM root_causes r LEFT JOIN root_causes p ON p.id = r.parent_id
            WHERE NOT @activeOnly OR (r.is_active AND coalesce(p.is_active, true))
            ORDER BY coalesce(p.sort_order, r.sort_order), coalesce(p.id, r.id), r.parent_id NULLS FIRST, r.sort_order, r.id
            """, new { activeOnly }, cancellationToken: ct))).AsList();
    }

    /// <summary>The CS supervisor edits the two-level taxonomy: a top-level cause (no parent) or a cause under one.</summary>
    public async Task<int> SaveRootCauseAsync(Actor actor, RootCause cause, CancellationToken ct = default)
    {
        actor.Require(SupervisorRoles);
        var errors = new Dictionary<string, FieldError>();
        if (string.IsNullOrWhiteSpace(cause.Name)) errors[nameof(cause.Name)] = new("Validation.Required");
        if (string.IsNullOrWhiteSpace(cause.NameEn)) errors[nameof(cause.NameEn)] = new("Validation.Required");
        if (string.IsNullOrWhiteSpace(cause.Definition)) errors[nameof(cause.Definition)] = new("Validation.Required");
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        if (cause.ParentId is { } parent)
        {
            var parentOfParent = await conn.QuerySingleOrDefaultAsync<(int Id, int? ParentId)?>(new CommandDefinition(
                "SELECT id, parent_id FROM root_causes WHERE id = @parent", new { parent }, cancellationToken: ct));
            if (parentOfParent is null || parentOfParent.Value.ParentId is not null || parent == cause.Id)
                throw Invalid(nameof(cause.ParentId), "Counting.RootCause.TwoLevels");
            if (cause.Id is not 0 && await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM root_causes WHERE parent_id = @id)", new { id = cause.Id }, cancellationToken: ct)))
                throw Invalid(nameof(cause.ParentId), "Counting.RootCause.TwoLevels");
        }
        var args = new { cause.Id, cause.ParentId, Name = cause.Name.Trim(), NameEn = cause.NameEn.Trim(), Definition = cause.Definition.Trim(), cause.IsActive, cause.SortOrder };
        try
        {
            return cause.Id == 0
                ? await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                    INSERT INTO root_causes (parent_id, name, name_en, definition, is_active, sort_order)
                    VALUES (@ParentId, @Name, @NameEn, @Definition, @IsActive, @SortOrder) RETURNING id
                    """, args, cancellationToken: ct))
                : await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
                    UPDATE root_causes SET parent_id = @ParentId, name = @Name, name_en = @NameEn, definition = @Definition,
                        is_active = @IsActive, sort_order = @SortOrder
                    WHERE id = @Id RETURNING id
                    """, args, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw Invalid(nameof(cause.Name), "Counting.RootCause.Duplicate");
        }
    }

    /// <summary>
    /// Classifies a complaint by its final root cause (a second-level cause); the customer's own description stays in the content.
    /// The CS supervisor, or the handler and manager of the complaint's department.
    /// </summary>
    public async Task ClassifyAsync(Actor actor, long complaintId, int? rootCauseId, CancellationToken ct = default)
    {
        if (rootCauseId is null) throw Invalid("RootCauseId", "Counting.RootCauseRequired");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var c = await LockAsync(conn, tx, complaintId, ct);
        if (!actor.IsIn(SupervisorRoles) && !(actor.IsIn(Roles.Handler, Roles.DeptManager) && c.DepartmentId is not null && actor.DepartmentId == c.DepartmentId))
            throw new ForbiddenException(actor.UserName, [Roles.CsSupervisor, Roles.Handler]);
        if (c.State == ComplaintStates.Closed) throw new DomainException("Counting.ClosedComplaint");
        var cause = await conn.QuerySingleOrDefaultAsync<(string Name, string Parent)?>(new CommandDefinition("""
            SELECT r.name, p.name FROM root_causes r JOIN root_causes p ON p.id = r.parent_id
            WHERE r.id = @rootCauseId AND r.is_active AND p.is_active
            """, new { rootCauseId }, tx, cancellationToken: ct));
        if (cause is null) throw Invalid("RootCauseId", "Counting.RootCauseLeafRequired");
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET root_cause_id = @rootCauseId, updated_at = @now WHERE id = @complaintId",
            new { complaintId, rootCauseId, now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, complaintId, now, actor, Events.Classified, $"{cause.Value.Parent} / {cause.Value.Name}", ct);
        await tx.CommitAsync(ct);
    }

    // ---------------------------------------------------------------- verification (counting rule 1)

    /// <summary>The CS supervisor marks a counted complaint (the survivor of its group) counted or not counted; not counted needs a reason.</summary>
    public async Task VerifyAsync(Actor actor, long complaintId, bool counted, string? reason, CancellationToken ct = default)
    {
        actor.Require(SupervisorRoles);
        if (!counted && string.IsNullOrWhiteSpace(reason)) throw Invalid("Reason", "Counting.ReasonRequired");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var c = await LockAsync(conn, tx, complaintId, ct);
        if (c.MergedIntoId is not null) throw new DomainException("Counting.MergedNotVerifiable");
        var now = clock.GetUtcNow();
        var r = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaints SET counted = @counted, count_reason = @r, verified_by = @actorId, verified_at = @now, updated_at = @now
            WHERE id = @complaintId
            """, new { complaintId, counted, r, actorId = actor.Id, now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, complaintId, now, actor, Events.Verified, (counted ? "counted" : "not-counted") + (r is null ? "" : " · " + r), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Counted complaints awaiting verification, oldest first.</summary>
    public async Task<Page<VerificationItem>> AwaitingVerificationAsync(int? projectId, int skip, int take, CancellationToken ct = default)
    {
        var args = new { projectId, skip, take };
        const string where = "WHERE c.counted IS NULL AND c.merged_into_id IS NULL AND (@projectId IS NULL OR c.project_id = @projectId)";
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<VerificationItem>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, c.registered_at, cu.name AS customer_name, p.name AS project_name, c.content,
                   r.name AS root_cause_name, r.name_en AS root_cause_name_en, g.complainants, g.times
            FROM complaints c
            JOIN customers cu ON cu.id = c.customer_id
            LEFT JOIN projects p ON p.id = c.project_id
            LEFT JOIN root_causes r ON r.id = c.root_cause_id
            CROSS JOIN LATERAL ({GroupCountsSql}) g
            {where}
            ORDER BY c.registered_at, c.id OFFSET @skip LIMIT @take
            """, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) FROM complaints c {where}", args, cancellationToken: ct));
        return new Page<VerificationItem>(items.AsList(), total);
    }

    // ---------------------------------------------------------------- one complaint, many voices (counting rules 2–4)

    /// <summary>Times (contacts) and complainants (distinct customers) of the group whose survivor is <c>c</c>.</summary>
    internal const string GroupCountsSql = """
        SELECT count(*)::int AS times, count(DISTINCT vc.customer_id)::int AS complainants
        FROM (
            SELECT m.contact_id FROM complaints m WHERE m.id = c.id OR m.merged_into_id = c.id
            UNION
            SELECT cc.contact_id FROM complaint_contacts cc JOIN complaints m ON m.id = cc.complaint_id WHERE m.id = c.id OR m.merged_into_id = c.id
        ) v JOIN contacts vc ON vc.id = v.contact_id
        """;

    public async Task<CountingInfo?> GetAsync(long complaintId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<CountingInfo>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, c.customer_id, cu.name AS customer_name, c.project_id, p.name AS project_name, c.department_id, c.channel,
                   c.content, c.state, c.registered_at, c.root_cause_id, r.name AS root_cause_name, r.name_en AS root_cause_name_en,
                   c.counted, c.count_reason, vb.display_name AS verified_by_name, c.verified_at,
                   c.merged_into_id, mi.sheet_no AS merged_into_sheet_no, c.impact, c.post_url, c.follow_up_count, c.heat, c.offline_impact,
                   c.split_from_id, sf.sheet_no AS split_from_sheet_no, g.complainants, g.times
            FROM complaints c
            JOIN customers cu ON cu.id = c.customer_id
            LEFT JOIN projects p ON p.id = c.project_id
            LEFT JOIN root_causes r ON r.id = c.root_cause_id
            LEFT JOIN users vb ON vb.id = c.verified_by
            LEFT JOIN complaints mi ON mi.id = c.merged_into_id
            LEFT JOIN complaints sf ON sf.id = c.split_from_id
            CROSS JOIN LATERAL ({GroupCountsSql}) g
            WHERE c.id = @complaintId
            """, new { complaintId }, cancellationToken: ct));
    }

    /// <summary>Every contact that raised the counted complaint: its own, those of merged complaints and those attached.</summary>
    /// <summary>A complaint by its issue record sheet number (FY-2026-000123), for the merge box.</summary>
    public async Task<long?> IdBySheetNoAsync(string? sheetNo, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(sheetNo)) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM complaints WHERE sheet_no = upper(@sheetNo)", new { sheetNo = sheetNo.Trim() }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Voice>> VoicesAsync(long complaintId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Voice>(new CommandDefinition("""
            WITH head AS (SELECT coalesce(merged_into_id, id) AS id FROM complaints WHERE id = @complaintId),
            members AS (SELECT m.id, m.sheet_no, m.contact_id, m.merged_into_id FROM complaints m, head WHERE m.id = head.id OR m.merged_into_id = head.id),
            v AS (
                SELECT contact_id, id AS complaint_id, sheet_no, CASE WHEN merged_into_id IS NULL THEN 'original' ELSE 'merged' END AS how FROM members
                UNION ALL
                SELECT cc.contact_id, m.id, m.sheet_no, 'attached' FROM complaint_contacts cc JOIN members m ON m.id = cc.complaint_id
            )
            SELECT ct.id AS contact_id, ct.register_no, ct.received_at, ct.customer_id, cu.name AS customer_name, ct.channel, ct.content,
                   v.complaint_id, v.sheet_no, v.how
            FROM v JOIN contacts ct ON ct.id = v.contact_id JOIN customers cu ON cu.id = ct.customer_id
            ORDER BY ct.received_at, ct.id
            """, new { complaintId }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<GroupMember>> MembersAsync(long survivorId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<GroupMember>(new CommandDefinition("""
            SELECT c.id, c.sheet_no, cu.name AS customer_name, c.registered_at, c.content, c.merged_at
            FROM complaints c JOIN customers cu ON cu.id = c.customer_id
            WHERE c.merged_into_id = @survivorId ORDER BY c.registered_at, c.id
            """, new { survivorId }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<SplitOff>> SplitOffsAsync(long complaintId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<SplitOff>(new CommandDefinition(
            "SELECT id, sheet_no, registered_at, content FROM complaints WHERE split_from_id = @complaintId ORDER BY id",
            new { complaintId }, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// Merges a complaint (with its own merged complaints and attached contacts) into the group of <paramref name="survivorId"/>:
    /// the same complaint raised by several people or several times counts once. Every contact stays linked.
    /// </summary>
    public async Task MergeAsync(Actor actor, long survivorId, long mergedId, CancellationToken ct = default)
    {
        actor.Require(SupervisorRoles);
        await MergeCoreAsync(actor, survivorId, mergedId, ct);
    }

    private async Task MergeCoreAsync(Actor actor, long survivorId, long mergedId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (survivor, merged) = await LockPairAsync(conn, tx, survivorId, mergedId, ct);
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
            await AddEventAsync(conn, tx, m.Id, now, actor, Events.MergedInto, head.SheetNo, ct);
            await AddEventAsync(conn, tx, head.Id, now, actor, Events.Merged, m.SheetNo, ct);
        }
        // One complaint however many voices: the group is handled, and escalated, through its surviving complaint only. The merged
        // complaints leave the department queue and their deadlines are suspended (stage kept, so an unmerge resumes them).
        var ids = moved.Select(m => m.Id).ToArray();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaint_deadlines SET next_at = NULL WHERE complaint_id = ANY (@ids);
            UPDATE complaints SET current_due_at = NULL WHERE id = ANY (@ids);
            """, new { ids }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>Undoes a merge: the complaint is its own counted complaint again, with its own contacts and verification.</summary>
    public async Task UnmergeAsync(Actor actor, long complaintId, CancellationToken ct = default)
    {
        actor.Require(SupervisorRoles);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var c = await LockAsync(conn, tx, complaintId, ct);
        if (c.MergedIntoId is not { } headId) throw new DomainException("Counting.NotMerged");
        var head = await LockAsync(conn, tx, headId, ct);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET merged_into_id = NULL, merged_at = NULL, updated_at = @now WHERE id = @complaintId AND merged_into_id = @headId",
            new { complaintId, headId, now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, complaintId, now, actor, Events.Unmerged, head.SheetNo, ct);
        await AddEventAsync(conn, tx, headId, now, actor, Events.Unmerged, c.SheetNo, ct);
        // Its own complaint again: its active deadlines resume where they stood (a deadline missed meanwhile escalates at the next sweep).
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaint_deadlines SET next_at = CASE stage WHEN 'pending' THEN warn_at WHEN 'warned' THEN due_at WHEN 'level1' THEN level2_at END
            WHERE complaint_id = @complaintId AND active;
            UPDATE complaints c SET current_due_at = (SELECT min(d.due_at) FROM complaint_deadlines d WHERE d.complaint_id = c.id AND d.active)
            WHERE c.id = @complaintId;
            """, new { complaintId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    private static async Task<(Locked A, Locked B)> LockPairAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long a, long b, CancellationToken ct)
    {
        // Lock in id order so two concurrent merges of the same pair cannot deadlock.
        if (a < b) { var x = await LockAsync(conn, tx, a, ct); return (x, await LockAsync(conn, tx, b, ct)); }
        var y = await LockAsync(conn, tx, b, ct);
        return (await LockAsync(conn, tx, a, ct), y);
    }

    /// <summary>
    /// At intake, the agent attaches a contact to an existing complaint instead of opening a new one. A contact that already opened a
    /// complaint of its own is merged with it (so nothing is lost); otherwise the contact is linked as a further voice.
    /// </summary>
    public async Task AttachContactAsync(Actor actor, long complaintId, long contactId, CancellationToken ct = default)
    {
        actor.Require([.. IntakeRepository.IntakeRoles]);
        long? own;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            var contact = await conn.QuerySingleOrDefaultAsync<(long Id, long? ComplaintId)?>(new CommandDefinition(
                "SELECT ct.id, c.id FROM contacts ct LEFT JOIN complaints c ON c.contact_id = ct.id WHERE ct.id = @contactId",
                new { contactId }, cancellationToken: ct)) ?? throw new DomainException("NotFound");
            own = contact.ComplaintId;
        }
        if (own is { } ownComplaint)
        {
            if (ownComplaint == complaintId) throw new DomainException("Counting.MergeSelf");
            await MergeCoreAsync(actor, complaintId, ownComplaint, ct);
            return;
        }
        await using var c2 = await db.OpenConnectionAsync(ct);
        await using var tx = await c2.BeginTransactionAsync(ct);
        var target = await LockAsync(c2, tx, complaintId, ct);
        var headId = target.MergedIntoId ?? target.Id;
        var now = clock.GetUtcNow();
        var n = await c2.ExecuteAsync(new CommandDefinition("""
            INSERT INTO complaint_contacts (complaint_id, contact_id, attached_by, attached_at) VALUES (@headId, @contactId, @actorId, @now)
            ON CONFLICT DO NOTHING
            """, new { headId, contactId, actorId = actor.Id, now }, tx, cancellationToken: ct));
        if (n == 0) throw new DomainException("Counting.ContactAlreadyAttached");
        var registerNo = await c2.ExecuteScalarAsync<string>(new CommandDefinition("SELECT register_no FROM contacts WHERE id = @contactId", new { contactId }, tx, cancellationToken: ct));
        await AddEventAsync(c2, tx, headId, now, actor, Events.ContactAttached, registerNo ?? "", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The survivor's impact text (影响), shown beside the number of complainants and times.</summary>
    public async Task SetImpactAsync(Actor actor, long complaintId, string impact, CancellationToken ct = default)
    {
        actor.Require(SupervisorRoles);
        await using var conn = await db.OpenConnectionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET impact = @impact, updated_at = @now WHERE id = @complaintId AND merged_into_id IS NULL",
            new { complaintId, impact = impact.Trim(), now = clock.GetUtcNow() }, cancellationToken: ct));
        if (n == 0) throw new DomainException("Counting.MergedNotVerifiable");
    }

    /// <summary>Online complaint data (counting rule 4): the post, the number of follow-up posts, their heat and the offline impact.</summary>
    public async Task UpdateOnlineAsync(Actor actor, long complaintId, string? postUrl, int followUpCount, int heat, string offlineImpact, CancellationToken ct = default)
    {
        actor.Require([.. IntakeRepository.IntakeRoles]);
        var errors = new Dictionary<string, FieldError>();
        if (!string.IsNullOrWhiteSpace(postUrl) && !(Uri.TryCreate(postUrl.Trim(), UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https")))
            errors["PostUrl"] = new("Counting.PostUrlInvalid");
        if (followUpCount < 0) errors["FollowUpCount"] = new("Counting.NotNegative");
        if (heat < 0) errors["Heat"] = new("Counting.NotNegative");
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await LockAsync(conn, tx, complaintId, ct);
        var now = clock.GetUtcNow();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE complaints SET post_url = @url, follow_up_count = @followUpCount, heat = @heat, offline_impact = @offlineImpact, updated_at = @now
            WHERE id = @complaintId
            """, new { complaintId, url = string.IsNullOrWhiteSpace(postUrl) ? null : postUrl.Trim(), followUpCount, heat, offlineImpact = offlineImpact.Trim(), now }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, complaintId, now, actor, Events.OnlineUpdated, $"{followUpCount} · {heat}", ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// A follow-up post with new content is a new complaint (counting rule 4): a new contact and issue record sheet, linked to the
    /// original, counted on its own.
    /// </summary>
    public async Task<SplitResult> SplitFollowUpAsync(Actor actor, long originalId, string content, CancellationToken ct = default)
    {
        actor.Require([.. IntakeRepository.IntakeRoles]);
        if (string.IsNullOrWhiteSpace(content)) throw Invalid("Content", "Validation.Required");
        var now = clock.GetUtcNow();
        var year = BusinessTime.ToLocal(now).Year;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await LockAsync(conn, tx, originalId, ct);
        var o = await conn.QuerySingleAsync<(string SheetNo, int CustomerId, int? ProjectId, int? UnitId, string Channel, string? PostUrl, bool NeedsReturnVisit)>(
            new CommandDefinition("SELECT sheet_no, customer_id, project_id, unit_id, channel, post_url, needs_return_visit FROM complaints WHERE id = @originalId",
                new { originalId }, tx, cancellationToken: ct));
        var text = content.Trim();
        var registerNo = await FormNumbering.NextAsync(conn, tx, FormTypes.ForChannel(o.Channel), year, ct);
        var contactId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, unit_id, purpose, content, received_at, first_responder_id, created_at)
            VALUES (@registerNo, @Channel, 'complaint', @CustomerId, @ProjectId, @UnitId, @purpose, @text, @now, @actorId, @now)
            RETURNING id
            """, new { registerNo, o.Channel, o.CustomerId, o.ProjectId, o.UnitId, purpose = o.SheetNo, text, now, actorId = actor.Id }, tx, cancellationToken: ct));
        var sheetNo = await FormNumbering.NextAsync(conn, tx, FormTypes.IssueSheet, year, ct);
        var id = await complaints.CreateAsync(conn, tx, actor, contactId, sheetNo, o.CustomerId, o.ProjectId, o.UnitId, o.Channel, text, o.NeedsReturnVisit, now, ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE complaints SET split_from_id = @originalId, post_url = @PostUrl WHERE id = @id", new { id, originalId, o.PostUrl }, tx, cancellationToken: ct));
        await AddEventAsync(conn, tx, id, now, actor, Events.SplitFrom, o.SheetNo, ct);
        await AddEventAsync(conn, tx, originalId, now, actor, Events.SplitOff, sheetNo, ct);
        await tx.CommitAsync(ct);
        return new SplitResult(id, sheetNo, contactId, registerNo);
    }

    // ---------------------------------------------------------------- duplicate suggestion at intake

    /// <summary>
    /// Narrow by project and recency on (project_id, registered_at), then score those few rows with pg_trgm similarity(): with Chinese
    /// text the trigram-index operator shape (content % @text) matches huge sets of common trigrams (docs/benchmarks.md).
    /// </summary>
    public const string DuplicatesSql = """
        SELECT c.id, c.sheet_no, c.content, c.registered_at, c.state, cu.name AS customer_name, s.score
        FROM (
            SELECT id, similarity(content, @text)::float8 AS score
            FROM complaints
            WHERE project_id = @projectId AND registered_at >= @since AND registered_at <= @now AND merged_into_id IS NULL
        ) s
        JOIN complaints c ON c.id = s.id
        JOIN customers cu ON cu.id = c.customer_id
        WHERE s.score >= @threshold
        ORDER BY s.score DESC, c.registered_at DESC
        LIMIT @take
        """;

    /// <summary>Likely duplicates of a new complaint: same project, similar content, the last 30 days; most similar first.</summary>
    public async Task<IReadOnlyList<DuplicateSuggestion>> SuggestDuplicatesAsync(int? projectId, string? text, DateTimeOffset now, int take = 5, CancellationToken ct = default)
    {
        if (projectId is null || string.IsNullOrWhiteSpace(text) || text.Trim().Length < 4) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuplicateSuggestion>(new CommandDefinition(DuplicatesSql, new
        {
            projectId, text = text.Trim(), since = now - CountingOptions.DuplicateWindow, now, threshold = CountingOptions.DuplicateThreshold, take,
        }, cancellationToken: ct))).AsList();
    }
}
