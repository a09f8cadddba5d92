using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Intake;

/// <summary>
/// Intake (DOMAIN.md §3): every contact registered — with its form numbers, first responder and, for a complaint, its issue record
/// sheet — the service phrases, the customer's history and the hand-over of a contact.
/// </summary>
public sealed class IntakeRepository(NpgsqlDataSource db, TimeProvider clock, ComplaintLifecycle lifecycle, CountingRepository counting, RepeatComplaints repeats)
{
    public static readonly string[] IntakeRoles = [Roles.Agent, Roles.CsSupervisor, Roles.Admin];

    public static IReadOnlyDictionary<string, FieldError> Validate(IntakeForm f)
    {
        var e = new Dictionary<string, FieldError>();
        if (!Channels.All.Contains(f.Channel)) e[nameof(f.Channel)] = new("Validation.Required");
        if (!ContactKinds.All.Contains(f.Kind)) e[nameof(f.Kind)] = new("Validation.Required");
        if (f.CustomerId is null) e[nameof(f.CustomerId)] = new("Intake.CustomerRequired");
        if (string.IsNullOrWhiteSpace(f.Content)) e[nameof(f.Content)] = new("Validation.Required");
        if (f.Kind is ContactKinds.Consultation or ContactKinds.Inquiry && string.IsNullOrWhiteSpace(f.Answer))
            e[nameof(f.Answer)] = new("Intake.AnswerRequired");
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
            "SELECT id, kind, situation, text, is_active, sort_order FROM service_phrases WHERE (NOT @activeOnly OR is_active) ORDER BY kind DESC, situation, sort_order, id",
            new { activeOnly }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<string>> ForbiddenPhrasesInAsync(string? text, CancellationToken ct = default) =>
        ServiceLanguage.FindForbidden(text, (await PhrasesAsync(true, ct)).Where(p => p.Kind == "forbidden").Select(p => p.Text));

    /// <summary>The CS supervisor edits the phrase lists.</summary>
    public async Task<int> SavePhraseAsync(Actor actor, int? id, string kind, string situation, string text, bool isActive, int sortOrder, CancellationToken ct = default)
    {
        actor.Require(Roles.CsSupervisor, Roles.Admin);
        if (string.IsNullOrWhiteSpace(text)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Text"] = new("Validation.Required") });
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
    /// Registers a contact in one transaction, so that nothing is half-written: its register number, the reception record for a visit,
    /// the standard reply it was answered with; for a complaint the issue record sheet, the link to the complaint it repeats, and
    /// either the complaint it is attached to (counting rule 3) or the dispatch when the department is given. The first responder is
    /// the actor.
    /// </summary>
    public async Task<IntakeResult> RegisterAsync(Actor actor, IntakeForm form, CancellationToken ct = default)
    {
        actor.Require(IntakeRoles);
        var errors = new Dictionary<string, FieldError>(Validate(form));
        var isComplaint = form.Kind == ContactKinds.Complaint;
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

        var projectId = form.ProjectId;
        if (form.UnitId is { } unit)
            projectId = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT b.project_id FROM units u JOIN buildings b ON b.id = u.building_id WHERE u.id = @unit", new { unit }, tx, cancellationToken: ct));

        var registerNo = await FormNumbering.NextAsync(conn, tx, FormTypes.ForChannel(form.Channel), year, ct);
        var receptionNo = form.WithReception ? await FormNumbering.NextAsync(conn, tx, FormTypes.Reception, year, ct) : null;
        var contactId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, unit_id, purpose, content, answer, satisfied,
                                  forbidden_phrases, received_at, first_responder_id, reception_no, reception_confirmed_by, reception_confirmed_at, created_at)
            VALUES (@registerNo, @Channel, @Kind, @CustomerId, @projectId, @UnitId, @Purpose, @Content, @answer, @Satisfied,
                    @forbidden, @now, @actorId, @receptionNo, @confirmedBy, @confirmedAt, @now)
            RETURNING id
            """, new
        {
            registerNo, form.Channel, form.Kind, form.CustomerId, projectId, form.UnitId,
            Purpose = form.Purpose.Trim(), Content = form.Content.Trim(), answer,
            Satisfied = form.Kind == ContactKinds.Consultation ? form.Satisfied : null,
            forbidden = forbidden.ToArray(), now, actorId = actor.Id, receptionNo,
            confirmedBy = form.WithReception ? form.ReceptionConfirmedBy!.Trim() : null,
            confirmedAt = form.WithReception ? now : (DateTimeOffset?)null,
        }, tx, cancellationToken: ct));
        if (!isComplaint && form.StandardReplyUseId is { } use)
            await StandardReplyRepository.LinkContactAsync(conn, tx, use, contactId, ct);

        long? complaintId = null, attachedTo = null;
        string? sheetNo = null;
        if (isComplaint)
        {
            sheetNo = await FormNumbering.NextAsync(conn, tx, FormTypes.IssueSheet, year, ct);
            complaintId = await lifecycle.CreateAsync(conn, tx, actor, contactId, sheetNo, form.CustomerId!.Value, projectId, form.UnitId,
                form.Channel, form.Content.Trim(), form.NeedsReturnVisit, now, ct);
            if (form.RepeatOfComplaintId is { } earlier)
                await repeats.LinkAsync(conn, tx, actor, complaintId.Value, earlier, form.CustomerId!.Value, now, ct);
            if (form.AttachToComplaintId is { } target)
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
    public async Task<IReadOnlyList<ContactSummary>> HistoryAsync(int customerId, int take = 10, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ContactSummary>(new CommandDefinition("""
            SELECT ct.id, ct.register_no, ct.channel, ct.kind, ct.received_at, ct.content, ct.answer, ct.satisfied,
                   u.display_name AS first_responder_name, c.id AS complaint_id, c.sheet_no, c.state AS complaint_state
            FROM contacts ct
            JOIN users u ON u.id = ct.first_responder_id
            LEFT JOIN complaints c ON c.contact_id = ct.id
            WHERE ct.customer_id = @customerId
            ORDER BY ct.received_at DESC, ct.id DESC
            LIMIT @take
            """, new { customerId, take }, cancellationToken: ct))).AsList();
    }

    /// <summary>The customer's complaints that are not yet handled.</summary>
    public async Task<IReadOnlyList<ComplaintBrief>> OpenComplaintsAsync(int customerId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ComplaintBrief>(new CommandDefinition("""
            SELECT c.id, c.sheet_no, c.state, c.registered_at, c.content, d.name AS department_name, c.current_due_at
            FROM complaints c LEFT JOIN departments d ON d.id = c.department_id
            WHERE c.customer_id = @customerId AND c.state IN ('registered','dispatched','contacted')
            ORDER BY c.registered_at DESC
            """, new { customerId }, cancellationToken: ct))).AsList();
    }

    private const string SelectDetail = """
        SELECT ct.id, ct.register_no, ct.channel, ct.kind, ct.customer_id, cu.name AS customer_name, ct.project_id, p.name AS project_name,
               CASE WHEN un.id IS NULL THEN NULL ELSE p.name || ' ' || b.name || ' ' || un.number END AS address,
               ct.purpose, ct.content, ct.answer, ct.satisfied, ct.forbidden_phrases, ct.received_at,
               ct.first_responder_id, fr.display_name AS first_responder_name, ct.reception_no, ct.reception_confirmed_by, ct.reception_confirmed_at,
               ct.handover_to_id, ho.display_name AS handover_to_name, ct.handover_at, ct.handover_result, ct.handover_result_at,
               c.id AS complaint_id, c.sheet_no
        FROM contacts ct
        JOIN customers cu ON cu.id = ct.customer_id
        JOIN users fr ON fr.id = ct.first_responder_id
        LEFT JOIN users ho ON ho.id = ct.handover_to_id
        LEFT JOIN projects p ON p.id = ct.project_id
        LEFT JOIN units un ON un.id = ct.unit_id
        LEFT JOIN buildings b ON b.id = un.building_id
        LEFT JOIN complaints c ON c.contact_id = ct.id
        """;

    public async Task<ContactDetail?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ContactDetail>(new CommandDefinition(SelectDetail + " WHERE ct.id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<Page<ContactSummary>> SearchAsync(string? text, string? kind, int skip, int take, CancellationToken ct = default)
    {
        var args = new { Text = string.IsNullOrWhiteSpace(text) ? null : $"%{text.Trim()}%", Kind = kind, Skip = skip, Take = take };
        const string where = """
            WHERE (@Kind IS NULL OR ct.kind = @Kind)
              AND (@Text IS NULL OR ct.register_no ILIKE @Text OR ct.content ILIKE @Text OR cu.name ILIKE @Text)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<ContactSummary>(new CommandDefinition($"""
            SELECT ct.id, ct.register_no, ct.channel, ct.kind, ct.received_at, ct.content, ct.answer, ct.satisfied,
                   u.display_name AS first_responder_name, c.id AS complaint_id, c.sheet_no, c.state AS complaint_state
            FROM contacts ct JOIN users u ON u.id = ct.first_responder_id JOIN customers cu ON cu.id = ct.customer_id
            LEFT JOIN complaints c ON c.contact_id = ct.id
            {where}
            ORDER BY ct.received_at DESC, ct.id DESC OFFSET @Skip LIMIT @Take
            """, args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"""
            SELECT count(*) FROM contacts ct JOIN customers cu ON cu.id = ct.customer_id {where}
            """, args, cancellationToken: ct));
        return new Page<ContactSummary>(items.AsList(), total);
    }

    /// <summary>The first responder hands the matter to the responsible person at once; to whom and when are recorded.</summary>
    public async Task HandOverAsync(Actor actor, long contactId, int toUserId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var responder = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT first_responder_id FROM contacts WHERE id = @contactId", new { contactId }, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        if (responder != actor.Id) actor.Require(Roles.CsSupervisor, Roles.Admin);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE contacts SET handover_to_id = @toUserId, handover_at = @now WHERE id = @contactId AND handover_to_id IS NULL",
            new { contactId, toUserId, now = clock.GetUtcNow() }, cancellationToken: ct));
        if (n == 0) throw new DomainException("Contact.AlreadyHandedOver");
    }

    /// <summary>The result of the hand-over, recorded by the first responder (or the person it was handed to).</summary>
    public async Task RecordHandOverResultAsync(Actor actor, long contactId, string result, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(result)) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Result"] = new("Validation.Required") });
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(int Responder, int? To)>(new CommandDefinition(
            "SELECT first_responder_id, handover_to_id FROM contacts WHERE id = @contactId", new { contactId }, cancellationToken: ct));
        if (row == default) throw new DomainException("NotFound");
        if (row.To is null) throw new DomainException("Contact.NotHandedOver");
        if (actor.Id != row.Responder && actor.Id != row.To) actor.Require(Roles.CsSupervisor, Roles.Admin);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE contacts SET handover_result = @result, handover_result_at = @now WHERE id = @contactId",
            new { contactId, result = result.Trim(), now = clock.GetUtcNow() }, cancellationToken: ct));
    }
}
