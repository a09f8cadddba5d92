using System.Security.Cryptography;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Accountability;

public sealed record DrawShare(int? DepartmentId, int Size);

/// <summary>The draws made and the seed that reproduces them.</summary>
public sealed record DrawResult(IReadOnlyList<int> DrawIds, long Seed)
{
    /// <summary>The longest seed as typed: a 64-bit number's digits and its sign.</summary>
    public const int SeedMaxLength = 20;
}

/// <summary>
/// One sheet on HR's list for a period: drawn in a sample, or flagged by the system (<see cref="SpotCheckSources"/>). Every kind has
/// its sheet; <see cref="ComplaintId"/> and <see cref="State"/> are a complaint's.
/// </summary>
public sealed record SpotCheckItem(
    long Id, int? DrawId, string Period, long ContactId, string Kind, string Source, long? ComplaintId, string SheetNo, string RegisterNo,
    string? DepartmentName, int FirstResponderId, string FirstResponderName, DateTimeOffset RegisteredAt, string? State, DateTimeOffset? CheckedAt, int Penalties);

public sealed record Suggestion(string Breach, int PersonId, string PersonName, string Evidence);

public sealed record Penalty(
    long Id, long? ItemId, string? SheetNo, long? ComplaintId, int PersonId, string PersonName, int? DepartmentId, string? DepartmentName, string Period,
    string Breach, decimal Amount, string Note, string State, string ProposedByName, DateTimeOffset ProposedAt, string? ContestNote, DateTimeOffset? DecidedAt)
{
    /// <summary>The longest note of HR's proposal and of the manager's contest (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int NoteMax = 500;
}

public sealed record LedgerRow(int PersonId, string PersonName, int? DepartmentId, string? DepartmentName, int Entries, decimal Confirmed, decimal Pending);

/// <summary>
/// HR's first-responder spot checks (首问责任制抽查): reproducible samples of the issue record sheets of every kind (consultations,
/// inquiries, complaints: each kind's share configurable, proportional by default), the sheets the system flags, findings with
/// penalties inside the manual's ranges, contest by the department manager, confirmation by HR, and the monthly ledger.
/// </summary>
public sealed class SpotCheckRepository(NpgsqlDataSource db, TimeProvider clock, AuditLog audit)
{
    /// <summary>A sheet must be handed on at once: later than this after registration counts as a late hand-over.</summary>
    public static readonly TimeSpan HandOnWithin = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The sheets of a period in a department's scope: a complaint's department is the one it was dispatched to; a consultation's or an
    /// inquiry's, the department of the person it was handed over to, else the first responder's.
    /// </summary>
    private const string SheetsInScope = $"""
        FROM contacts ct
        LEFT JOIN complaints c ON c.contact_id = ct.id
        JOIN users fr ON fr.id = ct.first_responder_id
        LEFT JOIN users ho ON ho.id = ct.handover_to_id
        WHERE ct.sheet_no IS NOT NULL AND ct.received_at >= @start AND ct.received_at < @end
          AND (@departmentId IS NULL OR (CASE WHEN c.id IS NOT NULL THEN c.department_id ELSE {ReturnVisits.Satisfaction.ConsultationDepartment} END) = @departmentId)
        """;

    private const string CountSql = $"SELECT ct.kind, count(*) {SheetsInScope} GROUP BY ct.kind";

    private const string DrawSql = $"""
        INSERT INTO spot_check_items (draw_id, period, contact_id, complaint_id, kind, first_responder_id, source)
        SELECT @drawId, @period, ct.id, c.id, ct.kind, ct.first_responder_id, 'sample'
        {SheetsInScope}
          AND ct.kind = ANY (@kinds)
          AND NOT EXISTS (SELECT 1 FROM spot_check_items i WHERE i.period = @period AND i.contact_id = ct.id)
        ORDER BY md5(@seed::text || ':' || ct.id::text), ct.id
        LIMIT @size
        ON CONFLICT (period, contact_id) DO NOTHING
        """;

    /// <summary>
    /// Draws the sample for a period: for each share (a department, or all), that many sheets not yet on the period's list, split over
    /// the three kinds by the configured shares (or in proportion to the period's sheets of each kind) and topped up from the kinds that
    /// have a share when one runs short; in an order fixed by the recorded seed, so the same seed over the same sheets draws the same
    /// sample.
    /// </summary>
    public async Task<DrawResult> DrawAsync(Actor actor, string period, IReadOnlyList<DrawShare> shares, long? seed = null, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        var errors = new Dictionary<string, FieldError>();
        if (!Month.TryParse(period, out var month)) errors["Period"] = new("SpotCheck.PeriodInvalid");
        if (shares.Count == 0 || shares.Any(s => s.Size <= 0 || s.Size > 1000)) errors["Size"] = new("SpotCheck.SizeInvalid");
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var theSeed = seed ?? RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var (start, end) = (month.Start, month.End);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var configured = await KindSharesAsync(conn, tx, ct);
        var ids = new List<int>();
        foreach (var share in shares)
        {
            var scope = new { start, end, departmentId = share.DepartmentId };
            var counts = (await conn.QueryAsync<(string Kind, long Count)>(new CommandDefinition(CountSql, scope, tx, cancellationToken: ct)))
                .ToDictionary(r => r.Kind, r => r.Count);
            var weights = configured?.Weights ?? ContactKinds.All.ToDictionary(k => k, k => counts.GetValueOrDefault(k));
            var quotas = SampleSplit.Split(share.Size, weights);
            var drawId = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO spot_check_draws (period, sample_size, department_id, seed, drawn_by, drawn_at, kind_shares)
                VALUES (@period, @Size, @DepartmentId, @seed, @actorId, @now, @kindShares) RETURNING id
                """, new { period, share.Size, share.DepartmentId, seed = theSeed, actorId = actor.Id, now = clock.GetUtcNow(), kindShares = configured?.Code ?? KindShares.Proportional },
                tx, cancellationToken: ct));
            Task<int> Draw(string[] kinds, int size) => conn.ExecuteAsync(new CommandDefinition(DrawSql,
                new { drawId, period, start, end, departmentId = share.DepartmentId, seed = theSeed, size, kinds }, tx, cancellationToken: ct));
            var drawn = 0;
            foreach (var kind in ContactKinds.All)
                if (quotas[kind] > 0) drawn += await Draw([kind], quotas[kind]);
            if (drawn < share.Size)
                await Draw([.. ContactKinds.All.Where(k => weights.GetValueOrDefault(k) > 0)], share.Size - drawn);
            ids.Add(drawId);
        }
        await tx.CommitAsync(ct);
        return new DrawResult(ids, theSeed);
    }

    /// <summary>
    /// Puts a sheet the system flags (a hand-over not taken up in time) on HR's list of the period, in the caller's transaction; a sheet
    /// already on it stays as it is.
    /// </summary>
    internal static Task FlagAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string period, long contactId, long? complaintId, string kind,
        int firstResponderId, string source, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO spot_check_items (draw_id, period, contact_id, complaint_id, kind, first_responder_id, source)
            VALUES (NULL, @period, @contactId, @complaintId, @kind, @firstResponderId, @source)
            ON CONFLICT (period, contact_id) DO NOTHING
            """, new { period, contactId, complaintId, kind, firstResponderId, source }, tx, cancellationToken: ct));

    /// <summary>The share of each kind in HR's draws: null when proportional to the period's sheets (the default).</summary>
    public async Task<KindShares?> KindSharesAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await KindSharesAsync(conn, null, ct);
    }

    private static async Task<KindShares?> KindSharesAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<(int? Consultation, int? Inquiry, int? Complaint)>(new CommandDefinition(
            "SELECT consultation_pct, inquiry_pct, complaint_pct FROM spot_check_settings", transaction: tx, cancellationToken: ct));
        return row.Consultation is { } a && row.Inquiry is { } b && row.Complaint is { } c ? new KindShares(a, b, c) : null;
    }

    /// <summary>HR sets the share of each kind (percentages adding up to 100), or null for proportional; audited.</summary>
    public async Task SaveKindSharesAsync(Actor actor, KindShares? shares, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        if (shares is not null && KindShares.Validate(shares) is { Count: > 0 } errors) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE spot_check_settings SET consultation_pct = @c, inquiry_pct = @i, complaint_pct = @p, updated_by = @actorId, updated_at = @now
            """, new { c = shares?.Consultation, i = shares?.Inquiry, p = shares?.Complaint, actorId = actor.Id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "spot_check_settings", "kind-shares", shares?.Code ?? KindShares.Proportional, ct);
        await tx.CommitAsync(ct);
    }

    private const string SelectItem = $"""
        SELECT i.id, i.draw_id, i.period, i.contact_id, i.kind, i.source, i.complaint_id, ct.sheet_no, ct.register_no,
               d.name AS department_name, i.first_responder_id, u.display_name AS first_responder_name, ct.received_at AS registered_at,
               st.state, i.checked_at,
               (SELECT count(*) FROM penalties p WHERE p.item_id = i.id AND p.state <> 'withdrawn')::int AS penalties
        FROM spot_check_items i
        JOIN contacts ct ON ct.id = i.contact_id
        JOIN users u ON u.id = i.first_responder_id
        LEFT JOIN complaints c ON c.id = i.complaint_id
        {ComplaintSql.LeftJoinState}
        LEFT JOIN users ho ON ho.id = ct.handover_to_id
        LEFT JOIN departments d ON d.id = CASE WHEN c.id IS NOT NULL THEN c.department_id ELSE coalesce(ho.department_id, u.department_id) END
        """;

    public async Task<IReadOnlyList<SpotCheckItem>> ItemsAsync(Actor actor, string period, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<SpotCheckItem>(new CommandDefinition(SelectItem + " WHERE i.period = @period ORDER BY i.draw_id NULLS FIRST, i.id",
            new { period }, cancellationToken: ct))).AsList();
    }

    public async Task<SpotCheckItem?> ItemAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<SpotCheckItem>(new CommandDefinition(SelectItem + " WHERE i.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>What the system can see on the sheet itself, pre-filled for the inspector.</summary>
    public async Task<IReadOnlyList<Suggestion>> SuggestAsync(Actor actor, long itemId, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<SheetRow>(new CommandDefinition($"""
            SELECT ct.kind, st.state, ct.received_at, c.dispatched_at, c.contact_due_at, c.contacted_at, c.reply_due_at, c.handled_at,
                   c.reply_forbidden_phrases, ct.forbidden_phrases AS answer_forbidden_phrases, ct.handover_to_id, ct.handover_result,
                   ct.first_responder_id, fr.display_name AS first_responder_name,
                   coalesce(c.handled_by, c.handler_id) AS handler_id, h.display_name AS handler_name,
                   ct.satisfied, ct.handover_due_at, ct.handover_taken_at, ct.handover_result_at
            FROM spot_check_items i
            JOIN contacts ct ON ct.id = i.contact_id
            JOIN users fr ON fr.id = ct.first_responder_id
            LEFT JOIN complaints c ON c.id = i.complaint_id
            {ComplaintSql.LeftJoinState}
            LEFT JOIN users h ON h.id = coalesce(c.handled_by, c.handler_id)
            WHERE i.id = @itemId
            """, new { itemId }, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        return Suggest(row.ToFacts(), clock.GetUtcNow());
    }

    private sealed record SheetRow(
        string Kind, string? State, DateTimeOffset ReceivedAt, DateTimeOffset? DispatchedAt, DateTimeOffset? ContactDueAt, DateTimeOffset? ContactedAt,
        DateTimeOffset? ReplyDueAt, DateTimeOffset? HandledAt, string[]? ReplyForbiddenPhrases, string[] AnswerForbiddenPhrases,
        int? HandoverToId, string? HandoverResult, int FirstResponderId, string FirstResponderName, int? HandlerId, string? HandlerName,
        bool? Satisfied, DateTimeOffset? HandoverDueAt, DateTimeOffset? HandoverTakenAt, DateTimeOffset? HandoverResultAt)
    {
        public SheetFacts ToFacts() => new(
            State ?? "", ReceivedAt, DispatchedAt, ContactDueAt, ContactedAt, ReplyDueAt ?? ReceivedAt, HandledAt, ReplyForbiddenPhrases ?? [],
            AnswerForbiddenPhrases, HandoverToId, HandoverResult, FirstResponderId, FirstResponderName, HandlerId, HandlerName,
            Kind, Satisfied, HandoverDueAt, HandoverTakenAt ?? HandoverResultAt);
    }

    /// <summary>
    /// What a sheet shows. The first fifteen are a complaint's (state empty for the other kinds); <see cref="Kind"/>,
    /// <see cref="Satisfied"/> (a consultation's answer) and the hand-over's due and take-up times apply to every kind.
    /// </summary>
    public sealed record SheetFacts(
        string State, DateTimeOffset RegisteredAt, DateTimeOffset? DispatchedAt, DateTimeOffset? ContactDueAt, DateTimeOffset? ContactedAt,
        DateTimeOffset ReplyDueAt, DateTimeOffset? HandledAt, string[] ReplyForbiddenPhrases, string[] AnswerForbiddenPhrases,
        int? HandoverToId, string? HandoverResult, int FirstResponderId, string FirstResponderName, int? HandlerId, string? HandlerName,
        string Kind = ContactKinds.Complaint, bool? Satisfied = null, DateTimeOffset? HandoverDueAt = null, DateTimeOffset? HandoverTakenAt = null);

    /// <summary>The pre-fill rules, as a pure function of the sheet's facts.</summary>
    public static IReadOnlyList<Suggestion> Suggest(SheetFacts f, DateTimeOffset now)
    {
        var list = new List<Suggestion>();
        var complaint = f.Kind == ContactKinds.Complaint;
        var open = complaint && f.State is "registered" or "dispatched" or "contacted";
        if (open && f.ReplyDueAt < now)
            list.Add(new(Breaches.ResultNotRecorded, f.FirstResponderId, f.FirstResponderName, $"reply-due {BusinessTime.Format(f.ReplyDueAt)}"));
        else if (f.HandoverToId is not null && string.IsNullOrWhiteSpace(f.HandoverResult))
            list.Add(new(Breaches.ResultNotRecorded, f.FirstResponderId, f.FirstResponderName, "handover-without-result"));
        if (f.Kind == ContactKinds.Consultation && f.Satisfied == false)
            list.Add(new(Breaches.NoSatisfactoryAnswer, f.FirstResponderId, f.FirstResponderName, "not-satisfied"));
        // 「首问人没有及时将办事人拟办的事项移交」: a complaint dispatched late, or a hand-over its recipient had not taken up by its due time.
        if (complaint && (f.DispatchedAt ?? (f.State == "registered" ? now : f.RegisteredAt)) - f.RegisteredAt > HandOnWithin)
            list.Add(new(Breaches.LateHandover, f.FirstResponderId, f.FirstResponderName, $"dispatched {BusinessTime.Format(f.DispatchedAt)}"));
        else if (f.HandoverDueAt is { } due && (f.HandoverTakenAt ?? now) > due)
            list.Add(new(Breaches.LateHandover, f.FirstResponderId, f.FirstResponderName, $"handover-due {BusinessTime.Format(due)}"));
        if (complaint && f.ContactDueAt is { } contactDue && ((f.ContactedAt is { } at && at > contactDue) || (f.ContactedAt is null && f.State == "dispatched" && contactDue < now)) && f.HandlerId is { } handler)
            list.Add(new(Breaches.UnjustifiedDelay, handler, f.HandlerName ?? "", $"contact-due {BusinessTime.Format(contactDue)}"));
        if (f.AnswerForbiddenPhrases.Length > 0)
            list.Add(new(Breaches.UncivilLanguage, f.FirstResponderId, f.FirstResponderName, string.Join("、", f.AnswerForbiddenPhrases)));
        if (f.ReplyForbiddenPhrases.Length > 0 && f.HandlerId is { } h)
            list.Add(new(Breaches.UncivilLanguage, h, f.HandlerName ?? "", string.Join("、", f.ReplyForbiddenPhrases)));
        return list;
    }

    /// <summary>HR records a breach with a penalty inside the manual's range; an amount outside it is refused at the field.</summary>
    public async Task<long> ProposeAsync(Actor actor, long itemId, int personId, string breach, decimal amount, string note, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        var errors = new Dictionary<string, FieldError>();
        if (!Breaches.All.Contains(breach)) errors["Breach"] = new("Validation.Required");
        else if (!Breaches.InRange(breach, amount))
        {
            var (min, max) = Breaches.Range(breach);
            errors["Amount"] = new("Penalty.OutOfRange", min, max);
        }
        TextInput.Check(errors, "Note", note, Penalty.NoteMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var period = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT period FROM spot_check_items WHERE id = @itemId", new { itemId }, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        var now = clock.GetUtcNow();
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO penalties (item_id, person_id, department_id, period, breach, amount, note, proposed_by, proposed_at)
            SELECT @itemId, u.id, u.department_id, @period, @breach, @amount, @note, @actorId, @now FROM users u WHERE u.id = @personId
            RETURNING id
            """, new { itemId, personId, period, breach, amount, note = (note ?? "").Trim(), actorId = actor.Id, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE spot_check_items SET checked_at = coalesce(checked_at, @now), checked_by = coalesce(checked_by, @actorId) WHERE id = @itemId",
            new { itemId, now, actorId = actor.Id }, tx, cancellationToken: ct));
        await NotificationRepository.NotifyAsync(conn, tx, [personId], now, "penalty", null, "Notify.Penalty", [breach, amount.ToString("0", System.Globalization.CultureInfo.InvariantCulture)],
            "/my/penalties", $"penalty:{id}", ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Marks a sampled sheet as checked with no breach found.</summary>
    public async Task MarkCheckedAsync(Actor actor, long itemId, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE spot_check_items SET checked_at = coalesce(checked_at, @now), checked_by = coalesce(checked_by, @actorId) WHERE id = @itemId",
            new { itemId, now = clock.GetUtcNow(), actorId = actor.Id }, cancellationToken: ct));
    }

    /// <summary>The manager of the person's department contests a proposed penalty.</summary>
    public async Task ContestAsync(Actor actor, long penaltyId, string note, CancellationToken ct = default)
    {
        actor.Require(Roles.DeptManager);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "ContestNote", note, Penalty.NoteMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        var dept = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT department_id FROM penalties WHERE id = @penaltyId", new { penaltyId }, cancellationToken: ct));
        if (dept is null || dept != actor.DepartmentId) throw new ForbiddenException(actor.UserName, [Roles.DeptManager]);
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE penalties SET state = 'contested', contest_note = @note, contested_by = @actorId, contested_at = @now
            WHERE id = @penaltyId AND state = 'proposed'
            """, new { penaltyId, note = note.Trim(), actorId = actor.Id, now = clock.GetUtcNow() }, cancellationToken: ct));
        if (n == 0) throw new DomainException("Penalty.WrongState");
    }

    /// <summary>HR confirms (it enters the ledger) or withdraws a proposed or contested penalty.</summary>
    public async Task DecideAsync(Actor actor, long penaltyId, bool confirm, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        await using var conn = await db.OpenConnectionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE penalties SET state = @state, decided_by = @actorId, decided_at = @now
            WHERE id = @penaltyId AND state IN ('proposed','contested')
            """, new { penaltyId, state = confirm ? "confirmed" : "withdrawn", actorId = actor.Id, now = clock.GetUtcNow() }, cancellationToken: ct));
        if (n == 0) throw new DomainException("Penalty.WrongState");
    }

    private const string SelectPenalty = """
        SELECT p.id, p.item_id, ct.sheet_no, c.id AS complaint_id, p.person_id, u.display_name AS person_name, p.department_id, d.name AS department_name,
               p.period, p.breach, p.amount, p.note, p.state, pb.display_name AS proposed_by_name, p.proposed_at, p.contest_note, p.decided_at
        FROM penalties p
        JOIN users u ON u.id = p.person_id
        JOIN users pb ON pb.id = p.proposed_by
        LEFT JOIN departments d ON d.id = p.department_id
        LEFT JOIN spot_check_items i ON i.id = p.item_id
        LEFT JOIN contacts ct ON ct.id = i.contact_id
        LEFT JOIN complaints c ON c.id = i.complaint_id
        """;

    /// <summary>Penalties of a period as the actor may see them: HR, leadership and admins all; a manager the department; anyone their own.</summary>
    public async Task<IReadOnlyList<Penalty>> PenaltiesAsync(Actor actor, string period, CancellationToken ct = default)
    {
        var all = actor.IsIn(Access.EveryDepartmentsPenalties);
        var dept = !all && actor.IsIn(Roles.DeptManager) ? actor.DepartmentId : null;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Penalty>(new CommandDefinition(SelectPenalty + """
             WHERE p.period = @period AND (@all OR p.person_id = @me OR (@dept IS NOT NULL AND p.department_id = @dept))
             ORDER BY d.name NULLS LAST, u.display_name, p.id
            """, new { period, all, me = actor.Id, dept }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<Penalty>> MineAsync(Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Penalty>(new CommandDefinition(SelectPenalty + " WHERE p.person_id = @me ORDER BY p.period DESC, p.id DESC",
            new { me = actor.Id }, cancellationToken: ct))).AsList();
    }

    /// <summary>The monthly ledger per person: confirmed amounts, and what is still proposed or contested.</summary>
    public static IReadOnlyList<LedgerRow> Ledger(IEnumerable<Penalty> penalties) =>
        penalties.Where(p => p.State != "withdrawn")
            .GroupBy(p => (p.PersonId, p.PersonName, p.DepartmentId, p.DepartmentName))
            .Select(g => new LedgerRow(g.Key.PersonId, g.Key.PersonName, g.Key.DepartmentId, g.Key.DepartmentName, g.Count(),
                g.Where(p => p.State == "confirmed").Sum(p => p.Amount), g.Where(p => p.State != "confirmed").Sum(p => p.Amount)))
            .OrderBy(r => r.DepartmentName).ThenBy(r => r.PersonName)
            .ToList();
}
