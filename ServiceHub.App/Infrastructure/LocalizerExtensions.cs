using Microsoft.Extensions.Localization;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.App.Infrastructure;

public static class LocalizerExtensions
{
    /// <summary>The localised message of a refused domain action.</summary>
    public static string Message(this IStringLocalizer l, DomainException ex) => l[ex.Code, ex.Args];

    /// <summary>Department, role and other names in the current UI language.</summary>
    public static bool IsEnglish => System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
}
