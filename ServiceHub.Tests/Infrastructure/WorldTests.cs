namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The set-up of a test class over the database: a database for the class, and in it a fresh <typeparamref name="TWorld"/> for each
/// test (its own people, departments and clock, so a test sees only what it made).
/// </summary>
public abstract class WorldTests<TWorld>(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime where TWorld : World<TWorld>, new()
{
    protected DatabaseFixture Db { get; } = db;
    protected TWorld _w = default!;
    protected TestServices _s = default!;

    /// <summary>Where the test's clock starts (it only moves forward); null for the world's own start.</summary>
    protected virtual DateTimeOffset? Start => null;

    public virtual async Task InitializeAsync()
    {
        _w = await World<TWorld>.CreateAsync(Db.ConnectionString, Start);
        _s = _w.S;
    }

    public virtual Task DisposeAsync() => _w.DisposeAsync();

    protected Task<T> Scalar<T>(string sql, object? args = null) => _w.ScalarAsync<T>(sql, args);
}
