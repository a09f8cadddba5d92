using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

/// <summary>
/// A customer as lists and forms show it: private data (phones, membership) always masked here. A customer without a phone
/// (<see cref="PhoneMasked"/> empty) is reached through <see cref="ContactChannel"/> by <see cref="ContactHandle"/>: a forum handle, a
/// newspaper, a forwarding body.
/// </summary>
public sealed record CustomerSummary(
    int Id, string Name, string PhoneMasked, string? Phone2Masked, int? UnitId, string? Address,
    string? MembershipNoMasked, string? MembershipLevelMasked, string Notes, string? ContactChannel = null, string? ContactHandle = null);

/// <summary>The unmasked private data of one customer, returned only to a role that may see it, and audited.</summary>
public sealed record CustomerPrivateData(int Id, string? Phone, string? Phone2, string? MembershipNo, string? MembershipLevel);

/// <summary>
/// Who a customer is when they have no phone (issue #11 point 11): the author of a forum post by their handle, a newspaper or media
/// outlet, a forwarding body — only for the channels that reach them (forum, media, forwarded).
/// </summary>
public static class CustomerContacts
{
    /// <summary>The channels by which a customer without a phone is reached; such a customer's contacts come by these channels only.</summary>
    public static readonly IReadOnlyList<string> Channels = [Complaints.Channels.Forum, Complaints.Channels.Media, Complaints.Channels.Forwarded];

    public const int HandleMax = 100;
    public const int NameMax = 100;
    public const int NotesMax = 1000;
    public const int MembershipMax = 50;

    /// <summary>The channel through which a phone-less author of a contact on <paramref name="channel"/> is reached (a forum by default).</summary>
    public static string For(string channel) => Channels.Contains(channel) ? channel : Complaints.Channels.Forum;
}

public sealed class CustomerEdit
{
    public int? Id { get; init; }
    public string Name { get; set; } = "";
    /// <summary>Empty for a customer reached only through <see cref="ContactChannel"/> (forum, media, forwarded) by <see cref="ContactHandle"/>.</summary>
    public string Phone { get; set; } = "";
    public string? ContactChannel { get; set; }
    public string? ContactHandle { get; set; }
    public string? Phone2 { get; set; }
    public int? UnitId { get; set; }
    public string? MembershipNo { get; set; }
    public string? MembershipLevel { get; set; }
    public string Notes { get; set; } = "";
}

public sealed class CustomerRepository(NpgsqlDataSource db, AuditLog audit, TimeProvider clock, CustomerSearchLimiter limiter)
{
    private sealed record Row(int Id, string Name, string? Phone, string? Phone2, int? UnitId, string? Address, string? MembershipNo, string? MembershipLevel,
        string Notes, string? ContactChannel, string? ContactHandle);

    private static CustomerSummary Mask(Row r) => new(
        r.Id, r.Name, Masking.Phone(r.Phone), r.Phone2 is null ? null : Masking.Phone(r.Phone2), r.UnitId, r.Address,
        r.MembershipNo is null ? null : Masking.Membership(r.MembershipNo),
        r.MembershipLevel is null ? null : Masking.Membership(r.MembershipLevel), r.Notes, r.ContactChannel, r.ContactHandle);

    /// <summary>The address in full (project, building, unit) when <c>@ShowUnit</c>, otherwise project and building only.</summary>
    private const string Select = """
        SELECT c.id, c.name, c.phone, c.phone2, c.unit_id,
               CASE WHEN u.id IS NULL THEN NULL WHEN @ShowUnit THEN p.name || ' ' || b.name || ' ' || u.number ELSE p.name || ' ' || b.name END AS address,
               c.membership_no, c.membership_level, c.notes, c.contact_channel, c.contact_handle
        FROM customers c
        LEFT JOIN units u ON u.id = c.unit_id
        LEFT JOIN buildings b ON b.id = u.building_id
        LEFT JOIN projects p ON p.id = b.project_id
        """;

    /// <summary>
    /// Look-up by name or handle, or by phone as <see cref="CustomerSearchRules"/> allows the actor: the start of either phone or its
    /// last four digits, or only the full number. Phones are compared in full but never returned in full.
    /// </summary>
    private const string Where = """
        WHERE (@Text IS NULL
               OR c.name LIKE @Contains OR c.contact_handle ILIKE @Contains
               OR (@Digits IS NOT NULL AND (c.phone LIKE @Digits || '%' OR c.phone2 LIKE @Digits || '%'
                                            OR (@LastFour AND length(@Digits) = 4 AND (right(c.phone, 4) = @Digits OR right(c.phone2, 4) = @Digits))))
               OR (@Full IS NOT NULL AND (replace(c.phone, '-', '') = @Full OR replace(c.phone2, '-', '') = @Full)))
          AND (@ProjectId IS NULL OR p.id = @ProjectId)
        """;

    /// <summary>
    /// The customer search (issue #12 point 5), open to every signed-in role within <see cref="CustomerSearchRules"/>: a search with
    /// text counts against the actor's limit (<see cref="CustomerSearchLimiter"/>) and is written to the audit log.
    /// </summary>
    public async Task<Page<CustomerSummary>> SearchAsync(Actor actor, string? text, int? projectId, int skip, int take, CancellationToken ct = default)
    {
        var t = Search.Trimmed(text);
        if (t is not null) limiter.Take(actor);
        var privateData = actor.IsIn(Access.PrivateData);
        var digits = privateData ? CustomerSearchRules.PhoneDigits(actor, t) : null;
        var full = privateData ? null : CustomerSearchRules.PhoneDigits(actor, t)?.Replace("-", "");
        var args = new
        {
            Text = t, Contains = Search.Contains(t), Digits = digits, Full = full, LastFour = CustomerSearchRules.MatchesLastFour(actor),
            ShowUnit = CustomerSearchRules.ShowsUnit(actor), ProjectId = projectId, Skip = Search.Skip(skip), Take = Search.Take(take),
        };
        if (t is not null) await audit.WriteAsync(actor, AuditLog.Actions.CustomerSearch, "customer", "", t, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(Select + "\n" + Where + " ORDER BY c.name, c.id OFFSET @Skip LIMIT @Take", args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*) FROM customers c
            LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN buildings b ON b.id = u.building_id LEFT JOIN projects p ON p.id = b.project_id
            """ + "\n" + Where, args, cancellationToken: ct));
        return new Page<CustomerSummary>(rows.Select(Mask).ToList(), total);
    }

    /// <summary>One customer, masked, with the address <see cref="CustomerSearchRules.ShowsUnit"/> allows the actor.</summary>
    public async Task<CustomerSummary?> GetAsync(Actor actor, int id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Select + " WHERE c.id = @id",
            new { id, ShowUnit = CustomerSearchRules.ShowsUnit(actor) }, cancellationToken: ct));
        return row is null ? null : Mask(row);
    }

    /// <summary>The "show" button: full private data for a role that may see it, written to the audit log in the same transaction.</summary>
    public async Task<CustomerPrivateData> RevealAsync(Actor actor, int customerId, string purpose, CancellationToken ct = default)
    {
        actor.Require(Access.PrivateData);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var data = await conn.QuerySingleOrDefaultAsync<CustomerPrivateData>(new CommandDefinition(
            "SELECT id, phone, phone2, membership_no, membership_level FROM customers WHERE id = @customerId",
            new { customerId }, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.PrivateDataViewed, "customer", customerId.ToString(), purpose, ct);
        await tx.CommitAsync(ct);
        return data;
    }

    /// <summary>Private data for editing the customer: the edit form shows it, so the view is audited.</summary>
    public async Task<CustomerEdit> GetForEditAsync(Actor actor, int customerId, CancellationToken ct = default)
    {
        var p = await RevealAsync(actor, customerId, "edit", ct);
        var c = await GetAsync(actor, customerId, ct) ?? throw new DomainException("NotFound");
        return new CustomerEdit
        {
            Id = c.Id, Name = c.Name, Phone = p.Phone ?? "", Phone2 = p.Phone2, UnitId = c.UnitId, MembershipNo = p.MembershipNo, MembershipLevel = p.MembershipLevel,
            Notes = c.Notes, ContactChannel = c.ContactChannel, ContactHandle = c.ContactHandle,
        };
    }

    /// <summary>
    /// A customer needs a valid phone, unless they are reached through a forum, the media or a forwarding body by a handle (then the
    /// channel and the handle are required). Every text has a length limit.
    /// </summary>
    public static IReadOnlyDictionary<string, FieldError> Validate(CustomerEdit edit)
    {
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, nameof(edit.Name), edit.Name, CustomerContacts.NameMax);
        var phoneless = string.IsNullOrWhiteSpace(edit.Phone);
        var hasHandle = !string.IsNullOrWhiteSpace(edit.ContactChannel) || !string.IsNullOrWhiteSpace(edit.ContactHandle);
        if (phoneless && !hasHandle) errors[nameof(edit.Phone)] = new("Customer.PhoneOrHandle");
        else if (!phoneless && !PhoneNumbers.IsValid(edit.Phone)) errors[nameof(edit.Phone)] = new("Validation.Phone");
        if (hasHandle)
        {
            if (edit.ContactChannel is null || !CustomerContacts.Channels.Contains(edit.ContactChannel)) errors[nameof(edit.ContactChannel)] = new("Validation.Required");
            TextInput.Check(errors, nameof(edit.ContactHandle), edit.ContactHandle, CustomerContacts.HandleMax);
        }
        if (!string.IsNullOrWhiteSpace(edit.Phone2) && !PhoneNumbers.IsValid(edit.Phone2)) errors[nameof(edit.Phone2)] = new("Validation.Phone");
        TextInput.Check(errors, nameof(edit.MembershipNo), edit.MembershipNo, CustomerContacts.MembershipMax, required: false);
        TextInput.Check(errors, nameof(edit.MembershipLevel), edit.MembershipLevel, CustomerContacts.MembershipMax, required: false);
        TextInput.Check(errors, nameof(edit.Notes), edit.Notes, CustomerContacts.NotesMax, required: false);
        return errors;
    }

    /// <summary>
    /// The author of a contact known only by a handle on <paramref name="channel"/> (a forum handle, a newspaper, a forwarding body): the
    /// customer with that handle on that channel, created (and audited) the first time, in the caller's transaction.
    /// </summary>
    internal static async Task<int> FindOrCreateByHandleAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AuditLog audit, Actor actor, string channel,
        string handle, DateTimeOffset now, CancellationToken ct)
    {
        var args = new { channel, handle = handle.Trim(), now };
        var id = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            INSERT INTO customers (name, phone, contact_channel, contact_handle, created_at, updated_at) VALUES (@handle, NULL, @channel, @handle, @now, @now)
            ON CONFLICT (contact_channel, lower(btrim(contact_handle))) WHERE phone IS NULL DO NOTHING
            RETURNING id
            """, args, tx, cancellationToken: ct));
        if (id is { } created)
        {
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Create, "customer", created.ToString(System.Globalization.CultureInfo.InvariantCulture), args.handle, ct);
            return created;
        }
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT id FROM customers WHERE phone IS NULL AND contact_channel = @channel AND lower(btrim(contact_handle)) = lower(@handle)", args, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Creates or updates a customer. Whoever works with customers' private data creates them (agents inline at intake, the
    /// return-visit team), and so do on-site staff who register contacts; supervisors and admins edit them.
    /// </summary>
    public async Task<int> SaveAsync(Actor actor, CustomerEdit edit, CancellationToken ct = default)
    {
        // A new customer at intake: on-site staff who register contacts (their department's switch) create one as the call centre does.
        if (edit.Id is not null) actor.Require(Access.Supervisor);
        else if (!actor.IsIn(Access.PrivateData))
        {
            await using var check = await db.OpenConnectionAsync(ct);
            (await Intake.IntakeAccess.LoadAsync(check, null, actor, ct)).Require(actor);
        }
        var errors = Validate(edit);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var phoneless = string.IsNullOrWhiteSpace(edit.Phone);
        var hasHandle = !string.IsNullOrWhiteSpace(edit.ContactHandle);
        var args = new
        {
            edit.Id, Name = edit.Name.Trim(), Phone = phoneless ? null : PhoneNumbers.Normalize(edit.Phone),
            ContactChannel = hasHandle ? edit.ContactChannel : null, ContactHandle = hasHandle ? edit.ContactHandle!.Trim() : null,
            Phone2 = string.IsNullOrWhiteSpace(edit.Phone2) ? null : PhoneNumbers.Normalize(edit.Phone2),
            edit.UnitId,
            MembershipNo = string.IsNullOrWhiteSpace(edit.MembershipNo) ? null : edit.MembershipNo.Trim(),
            MembershipLevel = string.IsNullOrWhiteSpace(edit.MembershipLevel) ? null : edit.MembershipLevel.Trim(),
            Notes = edit.Notes.Trim(), Now = clock.GetUtcNow(),
        };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var id = edit.Id is null
                ? await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                    INSERT INTO customers (name, phone, phone2, unit_id, membership_no, membership_level, notes, contact_channel, contact_handle, created_at, updated_at)
                    VALUES (@Name, @Phone, @Phone2, @UnitId, @MembershipNo, @MembershipLevel, @Notes, @ContactChannel, @ContactHandle, @Now, @Now) RETURNING id
                    """, args, tx, cancellationToken: ct))
                : await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
                    UPDATE customers SET name = @Name, phone = @Phone, phone2 = @Phone2, unit_id = @UnitId, membership_no = @MembershipNo,
                        membership_level = @MembershipLevel, notes = @Notes, contact_channel = @ContactChannel, contact_handle = @ContactHandle, updated_at = @Now
                    WHERE id = @Id RETURNING id
                    """, args, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
            await audit.WriteAsync(conn, tx, actor, edit.Id is null ? AuditLog.Actions.Create : AuditLog.Actions.Update, "customer", id.ToString(), args.Name, ct);
            await tx.CommitAsync(ct);
            return id;
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            // Another customer without a phone already has this handle on this channel: find them instead.
            throw new DomainException("Customer.HandleTaken");
        }
    }
}
