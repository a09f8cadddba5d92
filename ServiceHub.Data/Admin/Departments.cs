using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

public sealed record Department(
    int Id, string Code, string Name, string NameEn,
    int? ManagerUserId, string? ManagerName,
    int? ReturnVisitLeadId, string? ReturnVisitLeadName,
    int? SupervisingVpId, string? SupervisingVpName,
    bool IsActive, bool StaffRegisterContacts)
{
    public string DisplayName(bool english) => english ? NameEn : Name;
}

public sealed class DepartmentEdit
{
    public int? Id { get; init; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string NameEn { get; set; } = "";
    public int? ManagerUserId { get; set; }
    public int? ReturnVisitLeadId { get; set; }
    public int? SupervisingVpId { get; set; }
    public bool IsActive { get; set; } = true;
    /// <summary>Its handlers and manager register contacts as first responders (the property company and each management project).</summary>
    public bool StaffRegisterContacts { get; set; }
}

public sealed class DepartmentRepository(NpgsqlDataSource db, AuditLog audit)
{
    private const string Select = """
        SELECT d.id, d.code, d.name, d.name_en,
               d.manager_user_id, m.display_name AS manager_name,
               d.return_visit_lead_id, r.display_name AS return_visit_lead_name,
               d.supervising_vp_id, v.display_name AS supervising_vp_name,
               d.is_active, d.staff_register_contacts
        FROM departments d
        LEFT JOIN users m ON m.id = d.manager_user_id
        LEFT JOIN users r ON r.id = d.return_visit_lead_id
        LEFT JOIN users v ON v.id = d.supervising_vp_id
        """;

    public async Task<IReadOnlyList<Department>> ListAsync(bool activeOnly = false, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Department>(new CommandDefinition(
            Select + " WHERE (NOT @activeOnly OR d.is_active) ORDER BY d.id", new { activeOnly }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<Page<Department>> SearchAsync(string? text, int skip, int take, CancellationToken ct = default)
    {
        var args = new { Text = Search.Contains(text), Skip = Search.Skip(skip), Take = Search.Take(take) };
        const string where = " WHERE (@Text IS NULL OR d.name ILIKE @Text OR d.name_en ILIKE @Text OR d.code ILIKE @Text)";
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<Department>(new CommandDefinition(Select + where + " ORDER BY d.id OFFSET @Skip LIMIT @Take", args, cancellationToken: ct));
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT count(*) FROM departments d" + where, args, cancellationToken: ct));
        return new Page<Department>(items.AsList(), total);
    }

    public async Task<Department?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Department>(new CommandDefinition(Select + " WHERE d.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Length limits of a department's code and names.</summary>
    public const int CodeMax = 20, NameMax = 100;

    public async Task<int> SaveAsync(Actor actor, DepartmentEdit edit, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, nameof(edit.Code), edit.Code, CodeMax);
        TextInput.Check(errors, nameof(edit.Name), edit.Name, NameMax);
        TextInput.Check(errors, nameof(edit.NameEn), edit.NameEn, NameMax);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var args = new { edit.Id, Code = edit.Code.Trim(), Name = edit.Name.Trim(), NameEn = edit.NameEn.Trim(), edit.ManagerUserId, edit.ReturnVisitLeadId, edit.SupervisingVpId, edit.IsActive, edit.StaffRegisterContacts };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int id;
        try
        {
            id = edit.Id is null
                ? await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                    INSERT INTO departments (code, name, name_en, manager_user_id, return_visit_lead_id, supervising_vp_id, is_active, staff_register_contacts)
                    VALUES (@Code, @Name, @NameEn, @ManagerUserId, @ReturnVisitLeadId, @SupervisingVpId, @IsActive, @StaffRegisterContacts) RETURNING id
                    """, args, tx, cancellationToken: ct))
                : await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
                    UPDATE departments SET code = @Code, name = @Name, name_en = @NameEn, manager_user_id = @ManagerUserId,
                        return_visit_lead_id = @ReturnVisitLeadId, supervising_vp_id = @SupervisingVpId, is_active = @IsActive,
                        staff_register_contacts = @StaffRegisterContacts
                    WHERE id = @Id RETURNING id
                    """, args, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new DomainException("Department.CodeTaken", args.Code);
        }
        await audit.WriteAsync(conn, tx, actor, edit.Id is null ? AuditLog.Actions.Create : AuditLog.Actions.Update, "department", id.ToString(),
            $"{args.Code} {args.Name} manager={args.ManagerUserId} rv-lead={args.ReturnVisitLeadId} vp={args.SupervisingVpId} active={args.IsActive} staff-register={args.StaffRegisterContacts}", ct);
        await tx.CommitAsync(ct);
        return id;
    }
}
