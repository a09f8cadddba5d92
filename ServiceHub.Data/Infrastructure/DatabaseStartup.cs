using Npgsql;

namespace ServiceHub.Data.Infrastructure;

/// <summary>Start-up checks: the database answers, Chinese text is searchable, migrations are applied.</summary>
public static class DatabaseStartup
{
    public sealed class StartupException(string message) : Exception(message);

    public static async Task CheckReachableAsync(string connectionString, CancellationToken ct = default)
    {
        try
        {
            var csb = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5 };
            await using var conn = new NpgsqlConnection(csb.ConnectionString);
            await conn.OpenAsync(ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            var csb = new NpgsqlConnectionStringBuilder(connectionString);
            throw new StartupException($"ServiceHub cannot reach its database at {csb.Host}:{csb.Port}/{csb.Database}: {ex.Message}");
        }
    }

    /// <summary>
    /// pg_trgm in a database whose ctype is plain C drops every Chinese character; duplicate suggestion would silently find nothing.
    /// </summary>
    public static async Task CheckChineseTrigramsAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT coalesce(array_length(show_trgm('屋顶漏水'), 1), 0)", conn);
        var n = (int)(await cmd.ExecuteScalarAsync(ct))!;
        if (n == 0)
            throw new StartupException("The database's character type drops Chinese characters from text search (pg_trgm). Create the database with a UTF-8 locale, e.g. initdb --locale=C.UTF-8 or CREATE DATABASE … LC_CTYPE 'C.UTF-8' TEMPLATE template0.");
    }
}
