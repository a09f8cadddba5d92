using Dapper;
using Npgsql;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

public sealed record Project(int Id, string Code, string Name, string Address, int? PropertyDepartmentId, string? PropertyDepartmentName, bool IsActive, int BuildingCount, int UnitCount);
public sealed record Building(int Id, int ProjectId, string Name, int UnitCount)
{
    /// <summary>The longest building name (issue #12 point 14; CHECK in sql/0160).</summary>
    public const int NameMax = 50;
}

public sealed record Unit(int Id, int BuildingId, string Number)
{
    /// <summary>The longest unit number (CHECK in sql/0160).</summary>
    public const int NumberMax = 20;
}

/// <summary>A unit with its building and project, as shown on forms: 翠湖苑 3号楼 1-502.</summary>
public sealed record UnitAddress(int UnitId, int BuildingId, int ProjectId, string ProjectName, string BuildingName, string UnitNumber)
{
    public override string ToString() => $"{ProjectName} {BuildingName} {UnitNumber}";
}

public sealed class ProjectEdit
{
    /// <summary>Length limits of a project (issue #12 point 14; CHECKs in sql/0160).</summary>
    public const int CodeMax = 20, NameMax = 100, AddressMax = 200;

    public int? Id { get; init; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Address { get; set; } = "";
    public int? PropertyDepartmentId { get; set; }
    public bool IsActive { get; set; } = true;
}

public sealed class ProjectRepository(NpgsqlDataSource db, AuditLog audit)
{
    private const string Select = """
        SELECT p.id, p.code, p.name, p.address, p.property_department_id, d.name AS property_department_name, p.is_active,
               (SELECT count(*) FROM buildings b WHERE b.project_id = p.id)::int AS building_count,
               (SELECT count(*) FROM units u JOIN buildings b ON b.id = u.building_id WHERE b.project_id = p.id)::int AS unit_count
        FROM projects p LEFT JOIN departments d ON d.id = p.property_department_id
        """;

    public async Task<IReadOnlyList<Project>> ListAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Project>(new CommandDefinition(Select + " ORDER BY p.id", cancellationToken: ct))).AsList();
    }

    public async Task<Project?> GetAsync(int id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Project>(new CommandDefinition(Select + " WHERE p.id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Building>> BuildingsAsync(int projectId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Building>(new CommandDefinition("""
            SELECT b.id, b.project_id, b.name, (SELECT count(*) FROM units u WHERE u.building_id = b.id)::int AS unit_count
            FROM buildings b WHERE b.project_id = @projectId ORDER BY length(b.name), b.name
            """, new { projectId }, cancellationToken: ct))).AsList();
    }

    public async Task<IReadOnlyList<Unit>> UnitsAsync(int buildingId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Unit>(new CommandDefinition(
            "SELECT id, building_id, number FROM units WHERE building_id = @buildingId ORDER BY length(number), number",
            new { buildingId }, cancellationToken: ct))).AsList();
    }

    public async Task<UnitAddress?> AddressAsync(int unitId, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<UnitAddress>(new CommandDefinition("""
            SELECT u.id AS unit_id, b.id AS building_id, p.id AS project_id, p.name AS project_name, b.name AS building_name, u.number AS unit_number
            FROM units u JOIN buildings b ON b.id = u.building_id JOIN projects p ON p.id = b.project_id
            WHERE u.id = @unitId
            """, new { unitId }, cancellationToken: ct));
    }

    public async Task<int> SaveAsync(Actor actor, ProjectEdit edit, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, nameof(edit.Code), edit.Code, ProjectEdit.CodeMax);
        TextInput.Check(errors, nameof(edit.Name), edit.Name, ProjectEdit.NameMax);
        TextInput.Check(errors, nameof(edit.Address), edit.Address, ProjectEdit.AddressMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var args = new { edit.Id, Code = edit.Code.Trim(), Name = edit.Name.Trim(), Address = (edit.Address ?? "").Trim(), edit.PropertyDepartmentId, edit.IsActive };
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int id;
        try
        {
            id = edit.Id is null
                ? await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                    INSERT INTO projects (code, name, address, property_department_id, is_active)
                    VALUES (@Code, @Name, @Address, @PropertyDepartmentId, @IsActive) RETURNING id
                    """, args, tx, cancellationToken: ct))
                : await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
                    UPDATE projects SET code = @Code, name = @Name, address = @Address, property_department_id = @PropertyDepartmentId, is_active = @IsActive
                    WHERE id = @Id RETURNING id
                    """, args, tx, cancellationToken: ct)) ?? throw new DomainException("NotFound");
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new DomainException("Project.CodeTaken", args.Code);
        }
        await audit.WriteAsync(conn, tx, actor, edit.Id is null ? AuditLog.Actions.Create : AuditLog.Actions.Update, "project", id.ToString(), $"{args.Code} {args.Name}", ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Adds a building with units numbered floor-by-floor (e.g. 1-101 … 2-604) in one transaction.</summary>
    public async Task<int> AddBuildingAsync(Actor actor, int projectId, string name, IReadOnlyList<string> unitNumbers, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Name", name, Building.NameMax);
        if (unitNumbers.Select(n => TextInput.Error(n, Unit.NumberMax, required: false)).FirstOrDefault(e => e is not null) is { } unitError) errors["UnitNumbers"] = unitError;
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int id;
        try
        {
            id = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "INSERT INTO buildings (project_id, name) VALUES (@projectId, @name) RETURNING id", new { projectId, name = name.Trim() }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO units (building_id, number) SELECT @id, n FROM unnest(@numbers) AS n ON CONFLICT DO NOTHING",
                new { id, numbers = unitNumbers.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct().ToArray() }, tx, cancellationToken: ct));
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new DomainException("Building.NameTaken", name);
        }
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Create, "building", id.ToString(), $"project={projectId} {name} units={unitNumbers.Count}", ct);
        await tx.CommitAsync(ct);
        return id;
    }
}
