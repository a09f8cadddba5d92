using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Intake;

/// <summary>
/// Intake (DOMAIN.md §3): every contact registered — with its form numbers, its issue record sheet and its first responder — the
/// service phrases, the customer's history and the hand-over of a contact to its recipient.
/// </summary>
public sealed class IntakeRepository(NpgsqlDataSource db, TimeProvider clock, ComplaintLifecycle lifecycle, CountingRepository counting, RepeatComplaints repeats,
    CalendarRepository calendar, IOptions<IntakeOptions> options)
{


    public static bool MayRead(Actor actor, int firstResponderId, int? handoverToId) =>
        actor.IsIn(Access.Contacts) || actor.Id == firstResponderId || (handoverToId is not null && actor.Id == handoverToId);

    /// <summary>Whether <paramref name="actor"/> registers contacts, and does the call centre's part (dispatch, attach, standard replies).</summary>
    public async Task<IntakeAccess> AccessAsync(Actor actor, CancellationToken ct = default)
    {
        if (actor.IsIn(Access.Intake)) return new IntakeAccess(true, true);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await IntakeAccess.LoadAsync(conn, null, actor, ct);
    }

    public static IReadOnlyDictionary<string, FieldError> Validate(IntakeForm f)
    {
        var e = new Dictionary<string, FieldError>();
        if (!Channels.All.Contains(f.Channel)) e[nameof(f.Channel)] = new("Validation.Required");
        if (!ContactKinds.All.Contains(f.Kind)) e[nameof(f.Kind)] = new("Validation.Required");
        if (f.CustomerId is null) e[nameof(f.CustomerId)] = new("Intake.CustomerRequired");
        TextInput.Check(e, nameof(f.Content), f.Content, IntakeForm.ContentMax);
        if (f.Kind is ContactKinds.Consultation or ContactKinds.Inquiry && string.IsNullOrWhiteSpace(f.Answer))
            e[nameof(f.Answer)] = new("Intake.AnswerRequired");
        else TextInput.Check(e, nameof(f.Answer), f.Answer, IntakeForm.AnswerMax, required: false);
        TextInput.Check(e, nameof(f.Purpose), f.Purpose, IntakeForm.PurposeMax, required: false);
        TextInput.Check(e, nameof(f.ReceptionConfirmedBy), f.ReceptionConfirmedBy, IntakeForm.ConfirmedByMax, required: false);
        if (f.Kind == ContactKinds.Consultation && f.Satisfied is null) e[nameof(f.Satisfied)] = new("Intake.SatisfiedRequired");
        if (f.WithReception && f.Channel != Channels.Visit) e[nameof(f.WithReception)] = new("Intake.ReceptionOnlyForVisits");
        if (f.WithReception && string.IsNullOrWhiteSpace(f.ReceptionConfirmedBy)) e[nameof(f.ReceptionConfirmedBy)] = new("Intake.ReceptionConfirmation");
        if (f.Kind == ContactKinds.Complaint && (f.DispatchDepartmentId is not null || f.UrgencyMinutes is not null))
        {
            if (f.DispatchDepartmentId is null) e[nameof(f.DispatchDepartmentId)] = new("Complaint.DepartmentRequired");
            if (f.UrgencyMinutes is not { } u || !Urgency.IsValid(u)) e[nameof(f.UrgencyMinutes)] = new("Complaint.UrgencyRequired");
        }
        return e;
    }

    public async Task<IReadOnlyList<ServicePhrase>> PhrasesAsync(bool activeOnly = true, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ServicePhrase>(new CommandDefinition(
            """
            SELECT id, kind, situation, text, is_active, sort_order FROM service_phrases WHERE (NOT @activeOnly OR is_active)
            ORDER BY kind DESC, array_position(@situations, situation), sort_order, id
            """,
            new { activeOnly, situations = ServicePhrases.Situations.ToArray() }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<string>> ForbiddenPhrasesInAsync(string? text, CancellationToken ct = default) =>
        ServiceLanguage.FindForbidden(text, (await PhrasesAsync(true, ct)).Where(p => p.Kind == "forbidden").Select(p => p.Text));

    /// <summary>The CS supervisor edits the phrase lists.</summary>
    public async Task<int> SavePhraseAsync(Actor actor, int? id, string kind, string situation, string text, bool isActive, int sortOrder, CancellationToken ct = default)
    {
        actor.Require(Access.Supervisor);
        var errors = new Dictionary<string, FieldError>();
        if (!ServicePhrases.Kinds.Contains(kind)) errors["Kind"] = new("Validation.Required");
        if (!ServicePhrases.Situations.Contains(situation)) errors["Situation"] = new("Validation.Required");
        TextInput.Check(errors, "Text", text, ServicePhrases.MaxLength);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        try
        {
            return id is null
                ? await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                    "INSERT INTO service_phrases (kind, situation, text, is_active, sort_order) VALUES (@kind, @situation, @text, @isActive, @sortOrder) RETURNING id",
                    new { kind, situation, text = text.Trim(), isActive, sortOrder }, cancellationToken: ct))
                : await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
                    "UPDATE service_phrases SET kind = @kind, situation = @situation, text = @text, is_active = @isActive, sort_order = @sortOrder WHERE id = @id RETURNING id",
                    new { id, kind, situation, text = text.Trim(), isActive, sortOrder }, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Text"] = new("Phrase.Duplicate") });
        }
    }

    /// <summary>
    /// Registers a contact in one transaction, so that nothing is half-written: its register number, its issue record sheet (every
    /// kind), the reception record for a visit, the standard reply it was answered with; for a complaint the complaint itself, the link
    /// to the complaint it repeats, and either the complaint it is attached to (counting rule 3) or the dispatch when the department is
    /// given. The first responder is the actor: the call centre, or on-site staff of a department that registers contacts — their
    /// complaints land registered, for the call centre to dispatch (呼叫中心派发).
    /// </summary>
    public async Task<IntakeResult> RegisterAsync(Actor actor, IntakeForm form, CancellationToken ct = default)
    {
        var access = await AccessAsync(actor, ct);
        access.Require(actor);
        var errors = new Dictionary<string, FieldError>(Validate(form));
        var isComplaint = form.Kind == ContactKinds.Complaint;
        if (access.OnSite)
        {
            // The call centre's part of a registration is not the on-site staff's: the page does not offer it.
            if (form.AttachToComplaintId is not null || form.RepeatOfComplaintId is not null || form.StandardReplyUseId is not null)
                throw new ForbiddenException(actor.UserName, Access.Intake);
            if (form.DispatchDepartmentId is not null || form.UrgencyMinutes is not null)
                errors[nameof(form.DispatchDepartmentId)] = new("Intake.OnSiteDispatchedByCallCentre");
        }
        // A complaint has no answer at intake: the department replies (§4).
        var answer = isComplaint ? "" : form.Answer.Trim();
        var forbidden = await ForbiddenPhrasesInAsync(answer, ct);
        if (forbidden.Count > 0 && !form.AcceptForbiddenPhrases)
            errors[nameof(form.Answer)] = new FieldError("Phrase.ForbiddenFound", string.Join("、", forbidden.Select(p => $"「{p}」")));
        if (errors.Count > 0) throw new ValidationFailedException(errors);

        var now = clock.GetUtcNow();
        var year = BusinessTime.ToLocal(now).Year;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        // A customer without a phone (a forum handle, a newspaper, a forwarding body) is reached through that channel only.
        var phoneless = await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT phone IS NULL FROM customers WHERE id = @CustomerId", new { form.CustomerId }, tx, cancellationToken: ct));
        if (phoneless is null) throw new ValidationFailedException(new Dictionary<string, FieldError> { [nameof(form.CustomerId)] = new("Intake.CustomerRequired") });
        if (phoneless == true && !CustomerContacts.Channels.Contains(form.Channel))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { [nameof(form.Channel)] = new("Intake.ChannelNeedsPhone") });

        var projectId = form.ProjectId;
        if (form.UnitId is { } unit)
            projectId = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT b.project_id FROM units u JOIN buildings b ON b.id = u.building_id WHERE u.id = @unit", new { unit }, tx, cancellationToken: ct));

        // A contact from a screen pop keeps its call's start time; the call must have rung at this agent's extension, by phone.
        var callStartedAt = form.CallId is { } callId ? await Integrations.CallRepository.StartOfOwnCallAsync(conn, tx, callId, actor.Id, ct) : null;
        if (form.CallId is not null && (callStartedAt is null || form.Channel != Channels.Phone))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { [nameof(form.CallId)] = new("Intake.CallNotYours") });

        var registerNo = await FormNumbering.NextAsync(conn, tx, FormTypes.ForChannel(form.Channel), year, ct);
        var receptionNo = form.WithReception ? await FormNumbering.NextAsync(conn, tx, FormTypes.Reception, year, ct) : null;
        // The issue record sheet, filled by the first responder for every consultation, inquiry and complaint (§3, §8).
        var sheetNo = await FormNumbering.NextAsync(conn, tx, FormTypes.IssueSheet, year, ct);
        var contactId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO contacts (register_no, sheet_no, channel, kind, customer_id, project_id, unit_id, purpose, content, answer, satisfied,
                                  forbidden_phrases, received_at, first_responder_id, reception_no, reception_confirmed_by, reception_confirmed_at, created_at,
                                  call_id, call_started_at)
            VALUES (@registerNo, @sheetNo, @Channel, @Kind, @CustomerId, @projectId, @UnitId, @Purpose, @Content, @answer, @Satisfied,
                    @forbidden, @now, @actorId, @receptionNo, @confirmedBy, @confirmedAt, @now, @CallId, @callStartedAt)
            RETURNING id
            """, new
        {
            registerNo, sheetNo, form.Channel, form.Kind, form.CustomerId, projectId, form.UnitId,
            Purpose = form.Purpose.Trim(), Content = form.Content.Trim(), answer,
            Satisfied = form.Kind == ContactKinds.Consultation ? form.Satisfied : null,
            forbidden = forbidden.ToArray(), now, actorId = actor.Id, receptionNo,
            confirmedBy = form.WithReception ? form.ReceptionConfirmedBy!.Trim() : null,
            confirmedAt = form.WithReception ? now : (DateTimeOffset?)null,
            form.CallId, callStartedAt,
        }, tx, cancellationToken: ct));
        if (!isComplaint && form.StandardReplyUseId is { } use)
            await StandardReplyRepository.LinkContactAsync(conn, tx, use, contactId, ct);

        long? complaintId = null, attachedTo = null;
        if (isComplaint)
        {
            complaintId = await lifecycle.CreateAsync(conn, tx, actor, contactId, sheetNo, form.CustomerId!.Value, projectId, form.UnitId,
                form.Channel, form.Content.Trim(), form.NeedsReturnVisit, now, ct);
            // A repeat inside the week reopens the earlier complaint and becomes one of its voices: neither attached elsewhere nor dispatched.
            if (form.RepeatOfComplaintId is { } earlier && await repeats.LinkAsync(conn, tx, actor, complaintId.Value, earlier, form.CustomerId!.Value, now, ct))
                attachedTo = earlier;
            else if (form.AttachToComplaintId is { } target)
            {
                await counting.AttachContactAsync(conn, tx, actor, target, contactId, ct);
                attachedTo = target;
            }
            else if (form.DispatchDepartmentId is { } dept)
                await lifecycle.DispatchAsync(conn, tx, actor, complaintId.Value, dept, form.UrgencyMinutes!.Value, ct);
        }

        await tx.CommitAsync(ct);
        return new IntakeResult(contactId, registerNo, receptionNo, complaintId, sheetNo, attachedTo);
    }

    /// <summary>The customer's earlier contacts, newest first, shown beside the form.</summary>
    public async Task<IReadOnlyList<ContactSummary>> HistoryAsync(Actor actor, int customerId, int take = 10, CancellationToken ct = default)
    {
        actor.Require(Access.Registrars);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ContactSummary>(new CommandDefinition(HistorySql,
            new { customerId, take = Search.Take(take) }, cancellationToken: ct))).AsList();
    }

    /// <summary>The customer's latest contacts with their complaints (each found through <c>complaints_contact_idx</c>).</summary>
    public const string HistorySql = $"""
        SELECT ct.id, ct.register_no, ct.channel, ct.kind, ct.received_at, ct.content, ct.answer, ct.satisfied,
               u.display_name AS first_responder_name, c.id AS complaint_id, ct.sheet_no, st.state AS complaint_state
        FROM contacts ct
        JOIN users u ON u.id = ct.first_responder_id
        LEFT JOIN complaints c ON c.contact_id = ct.id
        {ComplaintSql.LeftJoinState}
        WHERE ct.customer_id = @customerId
        ORDER BY ct.received_at DESC, ct.id DESC
        LIMIT @take
        """;

    /// <summary>The customer's complaints that are not yet handled.</summary>
    public async Task<IReadOnlyList<ComplaintBrief>> OpenComplaintsAsync(Actor actor, int customerId, CancellationToken ct = default)
    {
        actor.Require(Access.Registrars);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ComplaintBrief>(new CommandDefinition($"""
            SELECT c.id, c.sheet_no, st.state, c.registered_at, c.content, d.name AS department_name, c.current_due_at
            FROM complaints c {ComplaintSql.JoinState} LEFT JOIN departments d ON d.id = c.department_id
            WHERE c.customer_id = @customerId AND st.state IN ('registered','dispatched','contacted')
            ORDER BY c.registered_at DESC
            """, new { customerId }, cancellationToken: ct))).AsList();
    }

    private const string SelectDetail = """
        SELECT ct.id, ct.register_no, ct.channel, ct.kind, ct.customer_id, cu.name AS customer_name, ct.project_id, p.name AS project_name,
               CASE WHEN un.id IS NULL THEN NULL ELSE p.name || ' ' || b.name || ' ' || un.number END AS address,
               ct.purpose, ct.content, ct.answer, ct.satisfied, ct.forbidden_phrases, ct.received_at,
               ct.first_responder_id, fr.display_name AS first_responder_name, ct.reception_no, ct.reception_confirmed_by, ct.reception_confirmed_at,
               ct.handover_to_id, ho.display_name AS handover_to_name, ct.handover_at, ct.handover_result, ct.handover_result_at,
               c.id AS complaint_id, ct.sheet_no, ct.handover_note, ct.handover_due_at, ct.handover_taken_at, ct.handover_flagged_at,
               ct.call_started_at
        FROM contacts ct
        JOIN customers cu ON cu.id = ct.customer_id
        JOIN users fr ON fr.id = ct.first_responder_id
        LEFT JOIN users ho ON ho.id = ct.handover_to_id
        LEFT JOIN projects p ON p.id = ct.project_id
        LEFT JOIN units un ON un.id = ct.unit_id
        LEFT JOIN buildings b ON b.id = un.building_id
        LEFT JOIN complaints c ON c.contact_id = ct.id
        """;

    /// <summary>One contact, for those who may read it (<see cref="MayRead"/>): the register's readers, its first responder, its recipient.</summary>
    public async Task<ContactDetail?> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var c = await conn.QuerySingleOrDefaultAsync<ContactDetail>(new CommandDefinition(SelectDetail + " WHERE ct.id = @id", new { id }, cancellationToken: ct));
        if (c is not null && !MayRead(actor, c.FirstResponderId, c.HandoverToId)) throw new ForbiddenException(actor.UserName, Access.Contacts);
        return c;
    }

    /// <summary>The contact register (<see cref="Access.Contacts"/>).</summary>
    public async Task<Page<ContactSummary>> SearchAsync(Actor actor, string? text, string? kind, int skip, int take, CancellationToken ct = default)
    {
        actor.Require(Access.Contacts);
        var args = new { Text = Search.Contains(text), Kind = kind, Skip = Search.Skip(skip), Take = Search.Take(take) };
        const string where = """
            WHERE (@Kind IS NULL OR ct.kind = @Kind)
              AND (@Text IS NULL OR ct.register_no ILIKE @Text OR ct.sheet_no ILIKE @Text OR ct.content ILIKE @Text OR cu.name ILIKE @Text)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<ContactSummary>(new CommandDefinition($"""
            SELECT ct.id, ct.register_no, ct.channel, ct.kind, ct.received_at, ct.content, ct.answer, ct.satisfied,
                   u.display_name AS first_responder_name, c.id AS complaint_id, ct.sheet_no, st.state AS complaint_state
            FROM contacts ct JOIN users u ON u.id = ct.first_responder_id JOIN customers cu ON cu.id = ct.customer_id
            LEFT JOIN complaints c ON c.contact_id = ct.id
            {ComplaintSql.LeftJoinState}
            {where}
            ORDER BY ct.received_at DESC, ct.id DESC OFFSET @Skip LIMIT @Take
            """, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"""
            SELECT count(*) FROM contacts ct JOIN customers cu ON cu.id = ct.customer_id {where}
            """, args, cancellationToken: ct));
        return new Page<ContactSummary>(items.AsList(), total);
    }

    /// <summary>
    /// The first responder hands the matter to the responsible person at once (or the CS supervisor does, for them): to whom, when, what
    /// is to be done, and by when it must be taken up (the configured working days on the business calendar) are recorded, and the
    /// recipient is notified in the same transaction (the bell, pushed live).
    /// </summary>
    public async Task HandOverAsync(Actor actor, long contactId, int toUserId, string? note = null, CancellationToken ct = default)
    {
        if (TextInput.Error(note, HandOvers.NoteMax, required: false) is { } error) throw Invalid("Note", error);
        var text = note?.Trim() ?? "";
        var cal = await calendar.LoadAsync(ct);
        var now = clock.GetUtcNow();
        var due = HandOvers.Due(now, options.Value.HandOverWithinWorkingDays, cal);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var c = await LockAsync(conn, tx, contactId, ct);
            if (c.HandoverToId is not null) throw new DomainException("Contact.AlreadyHandedOver");
            if (!HandOvers.MayHandOver(actor, c.FirstResponderId, c.HandoverToId)) throw new ForbiddenException(actor.UserName, Access.Supervisor);
            var active = await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(
                "SELECT is_active FROM users WHERE id = @toUserId", new { toUserId }, tx, cancellationToken: ct));
            if (active != true) throw Invalid("To", new FieldError("Validation.Required"));
            if (toUserId == c.FirstResponderId) throw Invalid("To", new FieldError("Contact.HandOverToSelf"));
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE contacts SET handover_to_id = @toUserId, handover_at = @now, handover_note = @note, handover_due_at = @due
                WHERE id = @contactId AND handover_to_id IS NULL
                """, new { contactId, toUserId, now, note = text.Length == 0 ? null : text, due }, tx, cancellationToken: ct));
            await NotificationRepository.NotifyAsync(conn, tx, [toUserId], now, "handover", null, "Notify.HandedOver",
                [actor.DisplayName, c.RegisterNo, c.SheetNo ?? "", BusinessTime.Format(due)], HandOverListLink, $"handover:{contactId}:{toUserId}", ct);
        }, ct);
    }

    /// <summary>The recipient takes the hand-over up: recorded once, by the recipient, before (or with) the result.</summary>
    public async Task TakeUpAsync(Actor actor, long contactId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var c = await LockAsync(conn, tx, contactId, ct);
            if (c.HandoverToId is null) throw new DomainException("Contact.NotHandedOver");
            if (c.HandoverToId != actor.Id) throw new ForbiddenException(actor.UserName, []);
            var n = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE contacts SET handover_taken_at = @now
                WHERE id = @contactId AND handover_to_id = @me AND handover_taken_at IS NULL AND handover_result IS NULL
                """, new { contactId, me = actor.Id, now }, tx, cancellationToken: ct));
            if (n == 0) throw new DomainException("Contact.AlreadyTakenUp");
        }, ct);
    }

    /// <summary>
    /// The result of the hand-over, recorded once by the recipient (or the first responder, or the CS supervisor): it completes the
    /// first responder's record, so the first responder is told when someone else records it. Recording it takes the hand-over up.
    /// </summary>
    public async Task RecordHandOverResultAsync(Actor actor, long contactId, string result, CancellationToken ct = default)
    {
        if (TextInput.Error(result, HandOvers.ResultMax) is { } error) throw Invalid("Result", error);
        var text = result.Trim();
        var now = clock.GetUtcNow();
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var c = await LockAsync(conn, tx, contactId, ct);
            if (c.HandoverToId is null) throw new DomainException("Contact.NotHandedOver");
            if (c.HandoverResult is not null) throw new DomainException("Contact.ResultAlreadyRecorded");
            if (!HandOvers.MayRecordResult(actor, c.FirstResponderId, c.HandoverToId, c.HandoverResult))
                throw new ForbiddenException(actor.UserName, Access.Supervisor);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE contacts SET handover_result = @text, handover_result_at = @now, handover_taken_at = coalesce(handover_taken_at, @now)
                WHERE id = @contactId AND handover_result IS NULL
                """, new { contactId, text, now }, tx, cancellationToken: ct));
            if (actor.Id != c.FirstResponderId)
                await NotificationRepository.NotifyAsync(conn, tx, [c.FirstResponderId], now, "handover", null, "Notify.HandOverResult",
                    [actor.DisplayName, c.RegisterNo], $"/intake/contacts/{contactId}", $"handover-result:{contactId}", ct);
        }, ct);
    }

    /// <summary>The "handed over to me" list: open hand-overs first (the oldest due first), then the answered ones, newest first.</summary>
    public async Task<IReadOnlyList<HandOverItem>> HandedOverToAsync(Actor actor, bool openOnly, int take = 200, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<HandOverItem>(new CommandDefinition("""
            SELECT ct.id AS contact_id, ct.register_no, ct.sheet_no, ct.channel, ct.kind, cu.name AS customer_name, ct.content, ct.answer,
                   ct.first_responder_id, fr.display_name AS first_responder_name, ct.received_at, ct.handover_at, ct.handover_note,
                   ct.handover_due_at, ct.handover_taken_at, ct.handover_result, ct.handover_result_at, c.id AS complaint_id
            FROM contacts ct
            JOIN customers cu ON cu.id = ct.customer_id
            JOIN users fr ON fr.id = ct.first_responder_id
            LEFT JOIN complaints c ON c.contact_id = ct.id
            WHERE ct.handover_to_id = @me AND (NOT @openOnly OR ct.handover_result IS NULL)
            ORDER BY (ct.handover_result IS NULL) DESC,
                     CASE WHEN ct.handover_result IS NULL THEN ct.handover_due_at END NULLS LAST,
                     ct.handover_at DESC, ct.id DESC
            LIMIT @take
            """, new { me = actor.Id, openOnly, take = Search.Take(take) }, cancellationToken: ct))).AsList();
    }

    /// <summary>How many hand-overs to <paramref name="actor"/> still wait for their result (the menu's badge).</summary>
    public async Task<int> OpenHandOversToAsync(Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*) FROM contacts WHERE handover_to_id = @me AND handover_result IS NULL", new { me = actor.Id }, cancellationToken: ct));
    }

    /// <summary>Where a hand-over notification leads: the recipient's list.</summary>
    public const string HandOverListLink = "/my/handovers";

    private sealed record LockedContact(long Id, string RegisterNo, string? SheetNo, int FirstResponderId, int? HandoverToId, string? HandoverResult);

    private static async Task<LockedContact> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long contactId, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<LockedContact>(new CommandDefinition("""
            SELECT id, register_no, sheet_no, first_responder_id, handover_to_id, handover_result FROM contacts WHERE id = @contactId FOR UPDATE
            """, new { contactId }, tx, cancellationToken: ct))
        ?? throw new DomainException("NotFound");

    private static ValidationFailedException Invalid(string field, FieldError error) => new(new Dictionary<string, FieldError> { [field] = error });
}
