using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>
/// The business calendar's holidays and make-up working days, edited by an admin day by day or loaded a year at a time
/// (<see cref="ImportYearAsync"/>); which years are loaded (<see cref="CalendarCoverage"/>).
/// </summary>
public sealed class CalendarRepository(NpgsqlDataSource db, TimeProvider clock, AuditLog audit)
{
    public async Task<IReadOnlyList<CalendarDay>> ListAsync(int? year = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CalendarDay>(new CommandDefinition(
            "SELECT day, kind, name FROM calendar_days WHERE @year IS NULL OR extract(year FROM day) = @year ORDER BY day",
            new { year }, cancellationToken: ct))).AsList();
    }

    public async Task<BusinessCalendar> LoadAsync(CancellationToken ct = default)
    {
        var days = await ListAsync(null, ct);
        return new BusinessCalendar(days.Where(d => d.Kind == CalendarDayKinds.Holiday).Select(d => d.Day),
            days.Where(d => d.Kind == CalendarDayKinds.Workday).Select(d => d.Day));
    }

    public async Task SaveAsync(Actor actor, DateOnly day, string kind, string name, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        if (kind is not (CalendarDayKinds.Holiday or CalendarDayKinds.Workday))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Kind"] = new("Validation.Required") });
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, "Name", name, CalendarImport.MaxNameLength);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO calendar_days (day, kind, name) VALUES (@day, @kind, @name)
            ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name
            """, new { day, kind, name = name.Trim() }, cancellationToken: ct));
    }

    public async Task DeleteAsync(Actor actor, DateOnly day, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM calendar_days WHERE day = @day", new { day }, cancellationToken: ct));
    }

    /// <summary>The years loaded as a whole, newest first.</summary>
    public async Task<IReadOnlyList<CalendarYear>> YearsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CalendarYear>(new CommandDefinition("""
            SELECT y.year, y.loaded_at, u.display_name AS loaded_by_name, y.days
            FROM calendar_years y LEFT JOIN users u ON u.id = y.loaded_by
            ORDER BY y.year DESC
            """, cancellationToken: ct))).AsList();
    }

    /// <summary>
    /// The year without a calendar that matters today (<see cref="CalendarCoverage.MissingYear"/>), or null. Anyone signed in may ask:
    /// the warning shows where due dates are read.
    /// </summary>
    public async Task<int?> MissingYearAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Roles.All);
        var today = BusinessTime.Today(clock);
        await using var conn = await db.OpenConnectionAsync(ct);
        var loaded = (await conn.QueryAsync<int>(new CommandDefinition(
            "SELECT year FROM calendar_years WHERE year BETWEEN @year AND @year + 1", new { year = today.Year }, cancellationToken: ct))).ToHashSet();
        return CalendarCoverage.MissingYear(today, loaded);
    }

    /// <summary>
    /// Loads <paramref name="year"/>'s calendar from pasted or uploaded lines (<see cref="CalendarImport"/>) in one transaction: the year's
    /// days are replaced by these, the year counts as loaded, the load is audited. Any wrong line refuses the whole text, every error
    /// named with its line (<c>Line:N</c> keys; <c>Text</c> for the text as a whole). Returns the number of days loaded.
    /// </summary>
    public async Task<int> ImportYearAsync(Actor actor, int year, string? text, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        if (year is < 2000 or > 2100)
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Year"] = new("Counting.Calendar.Import.Year") });
        var parsed = CalendarImport.Parse(year, text);
        if (!parsed.Ok)
            throw new ValidationFailedException(parsed.Errors.ToDictionary(e => e.Line == 0 ? "Text" : $"Line:{e.Line}", e => new FieldError(e.Code, e.Args)));
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM calendar_days WHERE day >= @from AND day < @to",
            new { from = new DateOnly(year, 1, 1), to = new DateOnly(year + 1, 1, 1) }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("INSERT INTO calendar_days (day, kind, name) VALUES (@Day, @Kind, @Name)",
            parsed.Days, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO calendar_years (year, loaded_at, loaded_by, days) VALUES (@year, @now, @by, @days)
            ON CONFLICT (year) DO UPDATE SET loaded_at = EXCLUDED.loaded_at, loaded_by = EXCLUDED.loaded_by, days = EXCLUDED.days
            """, new { year, now = clock.GetUtcNow(), by = actor.Id == 0 ? (int?)null : actor.Id, days = parsed.Days.Count }, tx, cancellationToken: ct));
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "calendar_year", year.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{parsed.Days.Count(d => d.Kind == CalendarDayKinds.Holiday)} holidays, {parsed.Days.Count(d => d.Kind == CalendarDayKinds.Workday)} make-up working days", ct);
        await tx.CommitAsync(ct);
        return parsed.Days.Count;
    }
}
