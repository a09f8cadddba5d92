using Dapper;
using Npgsql;

namespace ServiceHub.Tests.Security;

/// <summary>The hostile inputs of issue #12 point 15 and how a test sees that a refusal wrote nothing.</summary>
public static class Hostile
{
    /// <summary>100 KB of text (102,400 characters).</summary>
    public static readonly string Huge = new('漏', 100 * 1024);

    /// <summary>A NUL character, which PostgreSQL's text cannot hold: refused at the field (<c>Validation.NulCharacter</c>).</summary>
    public const string Nul = "空\0字符";

    /// <summary>Text that must be stored and shown as the text it is: SQL, HTML, right-to-left marks, emoji, control characters, LIKE wildcards.</summary>
    public static TheoryData<string> Payloads() =>
    [
        "'; DROP TABLE contacts; --",
        "<script>alert('x')</script>",
        "\u202E业主\u200F反映\u202C",
        "电梯坏了😡🛗",
        "换行\r\n制表\t响铃\u0007结束",
        "100% _通配_ \\反斜杠",
    ];

    public static async Task<long> CountAsync(string connectionString, string table)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        return await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
    }

    /// <summary>The rows of the tables as they are (count and digest of every row): equal before and after means nothing was written.</summary>
    public static async Task<string> FingerprintAsync(string connectionString, IEnumerable<string> tables)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        var parts = new List<string>();
        foreach (var table in tables)
            parts.Add(table + "=" + await conn.ExecuteScalarAsync<string>(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"));
        return string.Join("; ", parts);
    }
}
