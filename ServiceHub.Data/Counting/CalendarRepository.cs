using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>The business calendar's holidays and make-up working days, edited by an admin.</summary>
public sealed class CalendarRepository(NpgsqlDataSource db)
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
        actor.Require(Roles.Admin);
        if (kind is not (CalendarDayKinds.Holiday or CalendarDayKinds.Workday))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Kind"] = new("Validation.Required") });
        if (string.IsNullOrWhiteSpace(name))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Name"] = new("Validation.Required") });
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO calendar_days (day, kind, name) VALUES (@day, @kind, @name)
            ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name
            """, new { day, kind, name = name.Trim() }, cancellationToken: ct));
    }

    public async Task DeleteAsync(Actor actor, DateOnly day, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM calendar_days WHERE day = @day", new { day }, cancellationToken: ct));
    }
}
