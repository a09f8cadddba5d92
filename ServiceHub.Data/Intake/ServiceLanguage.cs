using System.Text;
using System.Text.RegularExpressions;

namespace ServiceHub.Data.Intake;

/// <summary>
/// Forbidden service phrases (服务忌语, DOMAIN.md §9) in a reply. Punctuation and spaces are ignored, and "XX" in a
/// phrase stands for anything (「你不是说XX吗？」 matches 「你不是说明天来修吗」).
/// </summary>
public static class ServiceLanguage
{
    public static IReadOnlyList<string> FindForbidden(string? text, IEnumerable<string> forbiddenPhrases)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var normalized = Normalize(text);
        var found = new List<string>();
        foreach (var phrase in forbiddenPhrases)
        {
            var pattern = Pattern(phrase);
            if (pattern is not null && pattern.IsMatch(normalized)) found.Add(phrase);
        }
        return found;
    }

    private static Regex? Pattern(string phrase)
    {
        var parts = Normalize(phrase).Split("XX", StringSplitOptions.None);
        if (parts.All(p => p.Length == 0)) return null;
        var sb = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0) sb.Append(".{1,20}?");
            sb.Append(Regex.Escape(parts[i]));
        }
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>Letters, digits and CJK only; "XX" placeholders kept upper-case.</summary>
    private static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
            if (char.IsLetterOrDigit(c)) sb.Append(c == 'x' ? 'X' : c);
        return sb.ToString();
    }
}
