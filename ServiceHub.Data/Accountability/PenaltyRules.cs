namespace ServiceHub.Data.Accountability;

/// <summary>The breaches of first-responder responsibility and their penalty ranges on the monthly bonus (DOMAIN.md §8).</summary>
public static class Breaches
{
    public const string ResultNotRecorded = "result_not_recorded";
    public const string NoSatisfactoryAnswer = "no_satisfactory_answer";
    public const string Shirking = "shirking";
    public const string UnjustifiedDelay = "unjustified_delay";
    public const string UncivilLanguage = "uncivil_language";
    public const string Quarrelling = "quarrelling";
    public const string LateHandover = "late_handover";

    public static readonly IReadOnlyList<string> All =
        [ResultNotRecorded, NoSatisfactoryAnswer, Shirking, UnjustifiedDelay, UncivilLanguage, Quarrelling, LateHandover];

    /// <summary>50–100 yuan for an unrecorded result or no satisfactory answer; 100–500 yuan for the serious breaches.</summary>
    public static (decimal Min, decimal Max) Range(string breach) => breach switch
    {
        ResultNotRecorded or NoSatisfactoryAnswer => (50m, 100m),
        Shirking or UnjustifiedDelay or UncivilLanguage or Quarrelling or LateHandover => (100m, 500m),
        _ => throw new ArgumentOutOfRangeException(nameof(breach)),
    };

    public static bool InRange(string breach, decimal amount)
    {
        var (min, max) = Range(breach);
        return amount >= min && amount <= max;
    }
}
