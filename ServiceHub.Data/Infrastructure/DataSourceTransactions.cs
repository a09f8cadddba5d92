using Npgsql;

namespace ServiceHub.Data.Infrastructure;

/// <summary>One change in one transaction: committed only if it completes, so nothing is half-written.</summary>
public static class DataSourceTransactions
{
    public static async Task<T> InTransactionAsync<T>(this NpgsqlDataSource db, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> change, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var result = await change(conn, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    public static Task InTransactionAsync(this NpgsqlDataSource db, Func<NpgsqlConnection, NpgsqlTransaction, Task> change, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) => { await change(conn, tx); return true; }, ct);
}
