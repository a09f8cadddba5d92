using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;

namespace ServiceHub.Data.Intake;

/// <summary>
/// Gapless per-year numbers: the counter row is incremented inside the caller's transaction, so concurrent saves queue on
/// the row lock and a rolled-back save returns its number.
/// </summary>
public static class FormNumbering
{
    private const string NextSql = """
        INSERT INTO form_counters (form_type, year, last_no) VALUES (@formType, @year, 1)
        ON CONFLICT (form_type, year) DO UPDATE SET last_no = form_counters.last_no + 1
        RETURNING last_no
        """;

    public static async Task<string> NextAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string formType, int year, CancellationToken ct)
    {
        var n = await conn.ExecuteScalarAsync<int>(new CommandDefinition(NextSql, new { formType, year }, tx, cancellationToken: ct));
        return FormTypes.Format(formType, year, n);
    }
}
