using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

/// <summary>A customer as lists and forms show it: private data (phones, membership) always masked here.</summary>
public sealed record CustomerSummary(
    int Id, string Name, string PhoneMasked, string? Phone2Masked, int? UnitId, string? Address,
    string? MembershipNoMasked, string? MembershipLevelMasked, string Notes);

/// <summary>The unmasked private data of one customer, returned only to a role that may see it, and audited.</summary>
public sealed record CustomerPrivateData(int Id, string Phone, string? Phone2, string? MembershipNo, string? MembershipLevel);

public sealed class CustomerEdit
{
    public int? Id { get; init; }
    public string Name { get; set; } = "";
    public string Phone { get; set; } = "";
    public string? Phone2 { get; set; }
    public int? UnitId { get; set; }
    public string? MembershipNo { get; set; }
    public string? MembershipLevel { get; set; }
    public string Notes { get; set; } = "";
}

public sealed class CustomerRepository(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    private sealed record Row(int Id, string Name, string Phone, string? Phone2, int? UnitId, string? Address, string? MembershipNo, string? MembershipLevel, string Notes);

    private static CustomerSummary Mask(Row r) => new(
        r.Id, r.Name, Masking.Phone(r.Phone), r.Phone2 is null ? null : Masking.Phone(r.Phone2), r.UnitId, r.Address,
        r.MembershipNo is null ? null : Masking.Membership(r.MembershipNo),
        r.MembershipLevel is null ? null : Masking.Membership(r.MembershipLevel), r.Notes);

    private const string Select = """
        SELECT c.id, c.name, c.phone, c.phone2, c.unit_id,
               CASE WHEN u.id IS NULL THEN NULL ELSE p.name || ' ' || b.name || ' ' || u.number END AS address,
               c.membership_no, c.membership_level, c.notes
        FROM customers c
        LEFT JOIN units u ON u.id = c.unit_id
        LEFT JOIN buildings b ON b.id = u.building_id
        LEFT JOIN projects p ON p.id = b.project_id
        """;

    /// <summary>
    /// Look-up by phone (digits match the start of either phone, or its last four digits) or by name.
    /// Phones are compared in full but never returned in full.
    /// </summary>
    private const string Where = """
        WHERE (@Text IS NULL
               OR c.name LIKE @Contains
               OR (@Digits IS NOT NULL AND (c.phone LIKE @Digits || '%' OR c.phone2 LIKE @Digits || '%'
                                            OR (length(@Digits) = 4 AND (right(c.phone, 4) = @Digits OR right(c.phone2, 4) = @Digits)))))
          AND (@ProjectId IS NULL OR p.id = @ProjectId)
        """;

    public async Task<Page<CustomerSummary>> SearchAsync(string? text, int? projectId, int skip, int take, CancellationToken ct = default)
    {
        var t = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        var digits = t is not null && t.All(char.IsDigit) && t.Length >= 3 ? t : null;
        var args = new { Text = t, Contains = t is null ? null : "%" + EscapeLike(t) + "%", Digits = digits, ProjectId = projectId, Skip = skip, Take = take };
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition(Select + "\n" + Where + " ORDER BY c.name, c.id OFFSET @Skip LIMIT @Take", args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*) FROM customers c
            LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN buildings b ON b.id = u.building_id LEFT JOIN projects p ON p.id = b.project_id
            """ + "\n" + Where, args, cancellationToken: ct));
        return new Page<CustomerSummary>(rows.Select(Mask).ToList(), total);
    }

    public async Task<CustomerSummary?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Select + " WHERE c.id = @id", new { id }, cancellationToken: ct));
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
        var c = await GetAsync(customerId, ct) ?? throw new DomainException("NotFound");
        return new CustomerEdit { Id = c.Id, Name = c.Name, Phone = p.Phone, Phone2 = p.Phone2, UnitId = c.UnitId, MembershipNo = p.MembershipNo, MembershipLevel = p.MembershipLevel, Notes = c.Notes };
    }

    public static IReadOnlyDictionary<string, string> Validate(CustomerEdit edit)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(edit.Name)) errors[nameof(edit.Name)] = "Validation.Required";
        if (string.IsNullOrWhiteSpace(edit.Phone)) errors[nameof(edit.Phone)] = "Validation.Required";
        else if (!PhoneNumbers.IsValid(edit.Phone)) errors[nameof(edit.Phone)] = "Validation.Phone";
        if (!string.IsNullOrWhiteSpace(edit.Phone2) && !PhoneNumbers.IsValid(edit.Phone2)) errors[nameof(edit.Phone2)] = "Validation.Phone";
        return errors;
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
        if (errors.Count > 0) throw new DomainException(errors.Values.First());
        var args = new
        {
            edit.Id, Name = edit.Name.Trim(), Phone = PhoneNumbers.Normalize(edit.Phone),
            Phone2 = string.IsNullOrWhiteSpace(edit.Phone2) ? null : PhoneNumbers.Normalize(edit.Phone2),
            edit.UnitId,
            MembershipNo = string.IsNullOrWhiteSpace(edit.MembershipNo) ? null : edit.MembershipNo.Trim(),
            MembershipLevel = string.IsNullOrWhiteSpace(edit.MembershipLevel) ? null : edit.MembershipLevel.Trim(),
            Notes = edit.Notes.Trim(), Now = clock.GetUtcNow(),
        };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = edit.Id is null
            ? await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO customers (name, phone, phone2, unit_id, membership_no, membership_level, notes, created_at, updated_at)
                VALUES (@Name, @Phone, @Phone2, @UnitId, @MembershipNo, @MembershipLevel, @Notes, @Now, @Now) RETURNING id
                """, args, tx, cancellationToken: ct))
            : await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
                UPDATE customers SET name = @Name, phone = @Phone, phone2 = @Phone2, unit_id = @UnitId, membership_no = @MembershipNo,
                    membership_level = @MembershipLevel, notes = @Notes, updated_at = @Now
                WHERE id = @Id RETURNING id
                """, args, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        await audit.WriteAsync(conn, tx, actor, edit.Id is null ? AuditLog.Actions.Create : AuditLog.Actions.Update, "customer", id.ToString(), args.Name, ct);
        await tx.CommitAsync(ct);
        return id;
    }

    private static string EscapeLike(string s) => s.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
