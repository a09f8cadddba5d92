using System.Text.RegularExpressions;

namespace ServiceHub.Data.Admin;

/// <summary>The contact details on a register must be valid (DOMAIN.md §3): a mainland mobile or a landline with area code.</summary>
public static partial class PhoneNumbers
{
    [GeneratedRegex(@"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")]
    private static partial Regex Valid();

    /// <summary>The longest phone number as typed (with spaces, brackets or +86): the length limit of a phone field.</summary>
    public const int TextMax = 20;

    public static string Normalize(string? input) =>
        new((input ?? "").Where(c => !char.IsWhiteSpace(c) && c != '(' && c != ')').ToArray());

    public static bool IsValid(string? input) => Valid().IsMatch(Normalize(input));
}
