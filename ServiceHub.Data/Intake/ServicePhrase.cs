namespace ServiceHub.Data.Intake;

/// <summary>A standard or forbidden service phrase (服务用语 / 服务忌语).</summary>
public sealed record ServicePhrase(int Id, string Kind, string Situation, string Text, bool IsActive, int SortOrder);

/// <summary>
/// The kinds and situations of service phrases (DOMAIN.md §9). The phrases themselves live in one place, the <c>service_phrases</c> table
/// (the manual's, word for word, seeded by <c>sql/0121_service_phrases_manual.sql</c>; edited by the CS supervisor).
/// </summary>
public static class ServicePhrases
{
    public const string Standard = "standard";
    public const string Forbidden = "forbidden";

    public static readonly IReadOnlyList<string> Kinds = [Standard, Forbidden];

    /// <summary>
    /// The manual's situations in the order of a call: on connection, when the answer must wait, an anxious or rude customer, not quite
    /// satisfied but not pursuing it, the customer says thanks, the end of a matter; then the manual's polite expressions, and "general"
    /// (the forbidden phrases and the supervisor's own).
    /// </summary>
    public static readonly IReadOnlyList<string> Situations = ["greeting", "waiting", "calming", "not_pursuing", "thanks", "closing", "polite", "general"];

    /// <summary>Longest phrase accepted.</summary>
    public const int MaxLength = 200;
}
