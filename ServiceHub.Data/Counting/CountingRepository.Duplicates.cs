using System.Globalization;
using Dapper;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>Counting rule 3 at intake: likely duplicates of a new complaint, so the agent can attach it instead of opening another.</summary>
public sealed partial class CountingRepository
{
    /// <summary>
    /// The rule read literally (shape A, what intake ran until issue #14): every complaint of the project's last 30 days scored with
    /// pg_trgm similarity(), those at or above the threshold, most similar first, then the newest. Kept as the reference the indexed
    /// shape is checked against (<c>DuplicateSuggestionTests</c>, the <c>duplicates</c> benchmark); the app does not run it.
    /// </summary>
    public const string DuplicatesReferenceSql = $"""
        SELECT c.id, c.sheet_no, c.content, c.registered_at, st.state, cu.name AS customer_name, s.score
        FROM (
            SELECT id, similarity(content, @text)::float8 AS score
            FROM complaints
            WHERE project_id = @projectId AND registered_at >= @since AND registered_at <= @now AND merged_into_id IS NULL
        ) s
        JOIN complaints c ON c.id = s.id
        {ComplaintSql.JoinState}
        JOIN customers cu ON cu.id = c.customer_id
        WHERE s.score >= @threshold
        ORDER BY s.score DESC, c.registered_at DESC
        LIMIT @take
        """;

    /// <summary>
    /// The same rule through the GiST index on complaint_texts (project, registration time, trigrams; sql/0210): one index scan keeps
    /// the project and the window and tests <c>content % @text</c> against the trigrams stored in the leaves, which is exact (the same
    /// count and comparison as similarity() &gt;= threshold). Texts over 1,000 characters, too long for a GiST row, are read from their
    /// own B-tree by project and time and tested one by one. The threshold is set by the batch itself, for its transaction only, so a
    /// server or database default of pg_trgm.similarity_threshold changes nothing. Only the rows that pass are scored and checked
    /// against merges; the customer is read for the ones shown. Ties of score and time go to the newer complaint id, so the answer is
    /// always the same.
    /// </summary>
    public const string DuplicatesSql = DuplicateThresholdSql + "\n" + DuplicatesQuerySql;

    /// <summary>The first statement of <see cref="DuplicatesSql"/>: the threshold of <c>%</c> for this transaction only.</summary>
    public const string DuplicateThresholdSql = "SELECT set_config('pg_trgm.similarity_threshold', @thresholdText, true);";

    /// <summary>The second statement of <see cref="DuplicatesSql"/>: the indexed look-up under that threshold.</summary>
    public const string DuplicatesQuerySql = """
        SELECT f.id, f.sheet_no, f.content, f.registered_at, st.state, cu.name AS customer_name, f.score
        FROM (
            SELECT c.id, c.sheet_no, c.content, c.registered_at, c.customer_id, s.score
            FROM (
                SELECT t.complaint_id, similarity(t.content, @text)::float8 AS score
                FROM complaint_texts t
                WHERE t.project_id = @projectId AND t.registered_at >= @since AND t.registered_at <= @now
                  AND char_length(t.content) <= 1000 AND t.content % @text
                UNION ALL
                SELECT t.complaint_id, similarity(t.content, @text)::float8
                FROM complaint_texts t
                WHERE t.project_id = @projectId AND t.registered_at >= @since AND t.registered_at <= @now
                  AND char_length(t.content) > 1000 AND t.content % @text
            ) s
            JOIN complaints c ON c.id = s.complaint_id
            WHERE c.merged_into_id IS NULL AND s.score >= @threshold
            ORDER BY s.score DESC, c.registered_at DESC, c.id DESC
            LIMIT @take
        ) f
        JOIN complaint_states st ON st.complaint_id = f.id
        JOIN customers cu ON cu.id = f.customer_id
        ORDER BY f.score DESC, f.registered_at DESC, f.id DESC
        """;

    /// <summary>The threshold as <c>set_config</c> takes it (text, invariant).</summary>
    public static string DuplicateThresholdText => CountingOptions.DuplicateThreshold.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Likely duplicates of a new complaint: same project, similar content, the last 30 days; most similar first.</summary>
    public async Task<IReadOnlyList<DuplicateSuggestion>> SuggestDuplicatesAsync(Actor actor, int? projectId, string? text, DateTimeOffset now, int take = 5, CancellationToken ct = default)
    {
        actor.Require(Admin.Access.Intake);
        if (projectId is null || string.IsNullOrWhiteSpace(text) || text.Trim().Length < 4) return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        // One round trip: the two statements go as one batch, which PostgreSQL runs as one (implicit) transaction, so the threshold
        // set for it (set_config(…, true)) holds for the query and ends with it.
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(DuplicatesSql, new
        {
            projectId, text = text.Trim(), since = now - CountingOptions.DuplicateWindow, now, take = Search.Take(take),
            threshold = CountingOptions.DuplicateThreshold, thresholdText = DuplicateThresholdText,
        }, cancellationToken: ct));
        await results.ReadAsync<string>();
        return (await results.ReadAsync<DuplicateSuggestion>()).AsList();
    }
}
