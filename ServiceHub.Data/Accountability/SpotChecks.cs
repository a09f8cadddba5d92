using System.Security.Cryptography;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Accountability;

public sealed record DrawShare(int? DepartmentId, int Size);

/// <summary>The draws made and the seed that reproduces them.</summary>
public sealed record DrawResult(IReadOnlyList<int> DrawIds, long Seed);

public sealed record SpotCheckItem(
    long Id, int DrawId, string Period, long ComplaintId, string SheetNo, string? DepartmentName, int FirstResponderId, string FirstResponderName,
    DateTimeOffset RegisteredAt, string State, DateTimeOffset? CheckedAt, int Penalties);

public sealed record Suggestion(string Breach, int PersonId, string PersonName, string Evidence);

public sealed record Penalty(
    long Id, long? ItemId, string? SheetNo, long? ComplaintId, int PersonId, string PersonName, int? DepartmentId, string? DepartmentName, string Period,
    string Breach, decimal Amount, string Note, string State, string ProposedByName, DateTimeOffset ProposedAt, string? ContestNote, DateTimeOffset? DecidedAt);

public sealed record LedgerRow(int PersonId, string PersonName, int? DepartmentId, string? DepartmentName, int Entries, decimal Confirmed, decimal Pending);

/// <summary>
/// HR's first-responder spot checks (首问责任制抽查): reproducible samples of the issue record sheets, findings with penalties
/// inside the manual's ranges, contest by the department manager, confirmation by HR, and the monthly ledger.
/// </summary>
public sealed class SpotCheckRepository(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>A sheet must be handed on at once: later than this after registration counts as a late hand-over.</summary>
    public static readonly TimeSpan HandOnWithin = TimeSpan.FromMinutes(30);

    private const string DrawSql = """
        INSERT INTO spot_check_items (draw_id, period, complaint_id, first_responder_id)
        SELECT @drawId, @period, c.id, ct.first_responder_id
        FROM complaints c JOIN contacts ct ON ct.id = c.contact_id
        WHERE c.registered_at >= @start AND c.registered_at < @end
          AND (@departmentId IS NULL OR c.department_id = @departmentId)
          AND NOT EXISTS (SELECT 1 FROM spot_check_items i WHERE i.period = @period AND i.complaint_id = c.id)
        ORDER BY md5(@seed::text || ':' || c.id::text), c.id
        LIMIT @size
        ON CONFLICT (period, complaint_id) DO NOTHING
        """;

    /// <summary>
    /// Draws the sample for a period: for each share (a department, or all), that many sheets not yet sampled in the period,
    /// in an order fixed by the recorded seed, so the same seed over the same sheets draws the same sample.
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
        var ids = new List<int>();
        foreach (var share in shares)
        {
            var drawId = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO spot_check_draws (period, sample_size, department_id, seed, drawn_by, drawn_at)
                VALUES (@period, @Size, @DepartmentId, @seed, @actorId, @now) RETURNING id
                """, new { period, share.Size, share.DepartmentId, seed = theSeed, actorId = actor.Id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition(DrawSql,
                new { drawId, period, start, end, departmentId = share.DepartmentId, seed = theSeed, size = share.Size }, tx, cancellationToken: ct));
            ids.Add(drawId);
        }
        await tx.CommitAsync(ct);
        return new DrawResult(ids, theSeed);
    }

    private const string SelectItem = """
        SELECT i.id, i.draw_id, i.period, i.complaint_id, c.sheet_no, d.name AS department_name, i.first_responder_id,
               u.display_name AS first_responder_name, c.registered_at, c.state, i.checked_at,
               (SELECT count(*) FROM penalties p WHERE p.item_id = i.id AND p.state <> 'withdrawn')::int AS penalties
        FROM spot_check_items i
        JOIN complaints c ON c.id = i.complaint_id
        JOIN users u ON u.id = i.first_responder_id
        LEFT JOIN departments d ON d.id = c.department_id
        """;

    public async Task<IReadOnlyList<SpotCheckItem>> ItemsAsync(Actor actor, string period, CancellationToken ct = default)
    {
        actor.Require(Access.SpotChecks);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<SpotCheckItem>(new CommandDefinition(SelectItem + " WHERE i.period = @period ORDER BY i.draw_id, i.id",
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
        var row = await conn.QuerySingleOrDefaultAsync<SheetFacts>(new CommandDefinition("""
            SELECT c.state, c.registered_at, c.dispatched_at, c.contact_due_at, c.contacted_at, c.reply_due_at, c.handled_at,
                   c.reply_forbidden_phrases, ct.forbidden_phrases AS answer_forbidden_phrases, ct.handover_to_id, ct.handover_result,
                   ct.first_responder_id, fr.display_name AS first_responder_name,
                   coalesce(c.handled_by, c.handler_id) AS handler_id, h.display_name AS handler_name
            FROM spot_check_items i
            JOIN complaints c ON c.id = i.complaint_id
            JOIN contacts ct ON ct.id = c.contact_id
            JOIN users fr ON fr.id = ct.first_responder_id
            LEFT JOIN users h ON h.id = coalesce(c.handled_by, c.handler_id)
            WHERE i.id = @itemId
            """, new { itemId }, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        return Suggest(row, clock.GetUtcNow());
    }

    public sealed record SheetFacts(
        string State, DateTimeOffset RegisteredAt, DateTimeOffset? DispatchedAt, DateTimeOffset? ContactDueAt, DateTimeOffset? ContactedAt,
        DateTimeOffset ReplyDueAt, DateTimeOffset? HandledAt, string[] ReplyForbiddenPhrases, string[] AnswerForbiddenPhrases,
        int? HandoverToId, string? HandoverResult, int FirstResponderId, string FirstResponderName, int? HandlerId, string? HandlerName);

    /// <summary>The pre-fill rules, as a pure function of the sheet's facts.</summary>
    public static IReadOnlyList<Suggestion> Suggest(SheetFacts f, DateTimeOffset now)
    {
        var list = new List<Suggestion>();
        var open = f.State is "registered" or "dispatched" or "contacted";
        if (open && f.ReplyDueAt < now)
            list.Add(new(Breaches.ResultNotRecorded, f.FirstResponderId, f.FirstResponderName, $"reply-due {BusinessTime.Format(f.ReplyDueAt)}"));
        else if (f.HandoverToId is not null && string.IsNullOrWhiteSpace(f.HandoverResult))
            list.Add(new(Breaches.ResultNotRecorded, f.FirstResponderId, f.FirstResponderName, "handover-without-result"));
        var handedOn = f.DispatchedAt ?? (f.State == "registered" ? now : f.RegisteredAt);
        if (handedOn - f.RegisteredAt > HandOnWithin)
            list.Add(new(Breaches.LateHandover, f.FirstResponderId, f.FirstResponderName, $"dispatched {BusinessTime.Format(f.DispatchedAt)}"));
        if (f.ContactDueAt is { } due && ((f.ContactedAt is { } at && at > due) || (f.ContactedAt is null && f.State == "dispatched" && due < now)) && f.HandlerId is { } handler)
            list.Add(new(Breaches.UnjustifiedDelay, handler, f.HandlerName ?? "", $"contact-due {BusinessTime.Format(due)}"));
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
            """, new { itemId, personId, period, breach, amount, note = note.Trim(), actorId = actor.Id, now }, tx, cancellationToken: ct));
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
        if (string.IsNullOrWhiteSpace(note)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["ContestNote"] = new("Validation.Required") });
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
        SELECT p.id, p.item_id, c.sheet_no, c.id AS complaint_id, p.person_id, u.display_name AS person_name, p.department_id, d.name AS department_name,
               p.period, p.breach, p.amount, p.note, p.state, pb.display_name AS proposed_by_name, p.proposed_at, p.contest_note, p.decided_at
        FROM penalties p
        JOIN users u ON u.id = p.person_id
        JOIN users pb ON pb.id = p.proposed_by
        LEFT JOIN departments d ON d.id = p.department_id
        LEFT JOIN spot_check_items i ON i.id = p.item_id
        LEFT JOIN complaints c ON c.id = i.complaint_id
        """;

    /// <summary>Penalties of a period as the actor may see them: HR, leadership and admins all; a manager the department; anyone their own.</summary>
    public async Task<IReadOnlyList<Penalty>> PenaltiesAsync(Actor actor, string period, CancellationToken ct = default)
    {
        var all = actor.IsIn(Roles.Hr, Roles.Admin, Roles.Leadership);
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
