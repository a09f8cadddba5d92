using Dapper;
using Npgsql;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>Row locks between sessions, observed in PostgreSQL itself (never a fixed sleep).</summary>
public static class Locks
{
    /// <summary>
    /// Waits until some session waits for a lock the session <paramref name="holderPid"/> holds, or until <paramref name="work"/> has
    /// finished without waiting (the caller's assertions then say what went wrong).
    /// </summary>
    public static Task WaitForWaiterAsync(string connectionString, int holderPid, Task work, string what) =>
        Eventually.WaitAsync(async () =>
        {
            await using var conn = new NpgsqlConnection(connectionString);
            return await conn.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE @holderPid = ANY (pg_blocking_pids(pid)))", new { holderPid });
        }, blocked => blocked || work.IsCompleted, TimeSpan.FromSeconds(30), what);
}
