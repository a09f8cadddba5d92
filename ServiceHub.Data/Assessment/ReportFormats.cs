using System.Globalization;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Assessment;

/// <summary>One version of the unified format of a kind of reporting item: its title and the contents the report must hold.</summary>
public sealed record ReportFormat(long Id, string Kind, int Version, string Title, string Contents, string? IssuedByName, DateTimeOffset IssuedAt);

/// <summary>A new version of a kind's format; <see cref="BasedOnVersion"/> is the current version the issuer revised (0: none yet).</summary>
public sealed class ReportFormatForm
{
    public const int TitleMax = 100;
    public const int ContentsMax = 4000;

    public string Kind { get; set; } = "";
    public int BasedOnVersion { get; set; }
    public string Title { get; set; } = "";
    public string Contents { get; set; } = "";

    /// <summary>A known kind, a title and the required contents, each within its length (the same limits as the table's CHECKs).</summary>
    public IReadOnlyDictionary<string, FieldError> Validate()
    {
        var errors = new Dictionary<string, FieldError>();
        if (!ReportKinds.All.Contains(Kind)) errors[nameof(Kind)] = new FieldError("Validation.Required");
        TextInput.Check(errors, nameof(Title), Title, TitleMax);
        TextInput.Check(errors, nameof(Contents), Contents, ContentsMax);
        return errors;
    }
}

/// <summary>
/// The unified reporting formats (信息报送的统一格式, DOMAIN.md §1): the Enterprise Management Dept's managers (and admins) issue, per kind
/// of reporting item, a format every department follows; each issue is a new version and the old ones stay. Everyone on the calendar
/// reads the current formats beside their items.
/// </summary>
public sealed class ReportFormats(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    private const string Select = """
        SELECT f.id, f.kind, f.version, f.title, f.contents, u.display_name AS issued_by_name, f.issued_at
        FROM report_formats f LEFT JOIN users u ON u.id = f.issued_by
        """;

    private static async Task<ReportingAccess> ReaderAsync(NpgsqlConnection conn, Actor actor, CancellationToken ct)
    {
        var access = await ReportingCalendar.AccessAsync(conn, actor, ct);
        return access.Any ? access : throw new ForbiddenException(actor.UserName, [.. Access.DepartmentStaff, .. Access.EveryDepartmentsReporting]);
    }

    /// <summary>The current format of each kind that has one (its highest version), by kind.</summary>
    public async Task<IReadOnlyDictionary<string, ReportFormat>> CurrentAsync(Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ReaderAsync(conn, actor, ct);
        var rows = await conn.QueryAsync<ReportFormat>(new CommandDefinition(Select + """
             WHERE f.version = (SELECT max(version) FROM report_formats c WHERE c.kind = f.kind)
            """, cancellationToken: ct));
        return rows.ToDictionary(f => f.Kind);
    }

    /// <summary>Every version of a kind's format, newest first.</summary>
    public async Task<IReadOnlyList<ReportFormat>> HistoryAsync(Actor actor, string kind, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await ReaderAsync(conn, actor, ct);
        return (await conn.QueryAsync<ReportFormat>(new CommandDefinition(Select + " WHERE f.kind = @kind ORDER BY f.version DESC",
            new { kind }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Issues the next version of a kind's format (the Enterprise Management Dept's managers and admins only), keeping the old ones;
    /// refused if someone issued another version since the issuer read the current one. Returns the new version number.
    /// </summary>
    public async Task<int> IssueAsync(Actor actor, ReportFormatForm form, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var access = await ReportingCalendar.AccessAsync(conn, actor, ct);
        if (!access.IssueFormats) throw new ForbiddenException(actor.UserName, [.. Access.ReportFormatIssuers]);
        var errors = form.Validate();
        if (errors.Count > 0) throw new ValidationFailedException(errors);

        await using var tx = await conn.BeginTransactionAsync(ct);
        var version = form.BasedOnVersion + 1;
        long? id;
        try
        {
            // Guarded: only the next version after the one the issuer saw; a concurrent issue of the same version hits the unique key.
            id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
                INSERT INTO report_formats (kind, version, title, contents, issued_by, issued_at)
                SELECT @Kind, @version, @title, @contents, @actorId, @now
                WHERE (SELECT coalesce(max(version), 0) FROM report_formats WHERE kind = @Kind) = @BasedOnVersion
                RETURNING id
                """, new
            {
                form.Kind, form.BasedOnVersion, version, title = form.Title.Trim(), contents = form.Contents.Trim(),
                actorId = actor.Id == 0 ? (int?)null : actor.Id, now = clock.GetUtcNow(),
            }, tx, cancellationToken: ct));
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            id = null;
        }
        if (id is null) throw new DomainException("ReportFormat.Changed");
        await audit.WriteAsync(conn, tx, actor, "report-format-issued", "report_format", id.Value.ToString(CultureInfo.InvariantCulture),
            $"{form.Kind} v{version} {form.Title.Trim()}", ct);
        await tx.CommitAsync(ct);
        return version;
    }
}
