namespace ServiceHub.Data.Counting;

/// <summary>The five parts of a hot-complaint report: content, cause analysis, current status, difficulties, help needed.</summary>
public sealed record HotReport(string Content, string CauseAnalysis, string CurrentStatus, string Difficulties, string HelpNeeded)
{
    /// <summary>The longest part (the content part starts as the complaint's text, itself at most this long; CHECKs in sql/0160).</summary>
    public const int PartMax = 4000;

    /// <summary>Each part's field error: longer than <see cref="PartMax"/>, or blank when <paramref name="complete"/> (to be sent).</summary>
    public Dictionary<string, Infrastructure.FieldError> Check(bool complete)
    {
        var errors = new Dictionary<string, Infrastructure.FieldError>();
        Infrastructure.TextInput.Check(errors, nameof(Content), Content, PartMax, complete);
        Infrastructure.TextInput.Check(errors, nameof(CauseAnalysis), CauseAnalysis, PartMax, complete);
        Infrastructure.TextInput.Check(errors, nameof(CurrentStatus), CurrentStatus, PartMax, complete);
        Infrastructure.TextInput.Check(errors, nameof(Difficulties), Difficulties, PartMax, complete);
        Infrastructure.TextInput.Check(errors, nameof(HelpNeeded), HelpNeeded, PartMax, complete);
        return errors;
    }
}
