using Dapper;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>Counting rule 3 at intake: likely duplicates of a new complaint, so the agent can attach it instead of opening another.</summary>
public sealed partial class CountingRepository
{
    /// <summary>
    /// Narrow by project and recency on (project_id, registered_at), then score those few rows with pg_trgm similarity(): with Chinese
    /// text the trigram-index operator shape (content % @text) matches huge sets of common trigrams (docs/benchmarks.md).
    /// </summary>
    public const string DuplicatesSql = """
        SELECT c.id, c.sheet_no, c.content, c.registered_at, c.state, cu.name AS customer_name, s.score
        FROM (
            SELECT id, similarity(content, @text)::float8 AS score
            FROM complaints
            WHERE project_id = @projectId AND registered_at >= @since AND registered_at <= @now AND merged_into_id IS NULL
        ) s
        JOIN complaints c ON c.id = s.id
        JOIN customers cu ON cu.id = c.customer_id
        WHERE s.score >= @threshold
        ORDER BY s.score DESC, c.registered_at DESC
        LIMIT @take
        """;

    /// <summary>Likely duplicates of a new complaint: same project, similar content, the last 30 days; most similar first.</summary>
    public async Task<IReadOnlyList<DuplicateSuggestion>> SuggestDuplicatesAsync(Actor actor, int? projectId, string? text, DateTimeOffset now, int take = 5, CancellationToken ct = default)
    {
        actor.Require(Admin.Access.Intake);
        if (projectId is null || string.IsNullOrWhiteSpace(text) || text.Trim().Length < 4) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DuplicateSuggestion>(new CommandDefinition(DuplicatesSql, new
        {
            projectId, text = text.Trim(), since = now - CountingOptions.DuplicateWindow, now, threshold = CountingOptions.DuplicateThreshold, take = Search.Take(take),
        }, cancellationToken: ct))).AsList();
    }
}
