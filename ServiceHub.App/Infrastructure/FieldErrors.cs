using Microsoft.Extensions.Localization;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// The messages of one form, each at its field (MudBlazor <c>Error</c>/<c>ErrorText</c>), filled by <see cref="ActionRunner"/>
/// from a <see cref="ValidationFailedException"/>. A form may also name the field where a refusal of the domain
/// (<see cref="DomainException"/>) belongs, e.g. "user name taken" at the user name; other refusals go to a snackbar.
/// </summary>
public sealed class FieldErrors
{
    /// <summary>The key of a message about the whole form rather than one field (shown by <c>FormError</c>).</summary>
    public const string Form = "";

    private readonly Dictionary<string, string> _errors = [];
    private readonly Dictionary<string, string> _refusalFields = [];
    private string? _everyRefusalAt;

    public bool Has(string field) => _errors.ContainsKey(field);
    public string? Text(string field) => _errors.GetValueOrDefault(field);
    public bool Any => _errors.Count > 0;
    public void Clear() => _errors.Clear();
    public void Remove(string field) => _errors.Remove(field);

    /// <summary>The messages whose field starts with <paramref name="prefix"/>, e.g. the numbered lines of a pasted text (<c>Line:3</c>).</summary>
    public IEnumerable<(string Field, string Text)> WithPrefix(string prefix) =>
        _errors.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(e => (e.Key, e.Value));

    /// <summary>Puts <paramref name="message"/> (already localised) at <paramref name="field"/>.</summary>
    public void Set(string field, string message) => _errors[field] = message;

    /// <summary>Replaces the messages with the failure's, each localised at its field.</summary>
    public void Set(IStringLocalizer l, ValidationFailedException ex)
    {
        _errors.Clear();
        foreach (var (field, error) in ex.Errors) _errors[field] = l[error.Code, error.Args];
    }

    /// <summary>
    /// Shows the domain's refusals at <paramref name="field"/> instead of in a snackbar: those with one of
    /// <paramref name="codes"/>, or every refusal (and a refusal of access) when no code is given.
    /// </summary>
    public FieldErrors RefusalsAt(string field, params string[] codes)
    {
        if (codes.Length == 0) _everyRefusalAt = field;
        foreach (var code in codes) _refusalFields[code] = field;
        return this;
    }

    /// <summary>The field where the refusal <paramref name="code"/> is shown, or null for a snackbar.</summary>
    public string? FieldOfRefusal(string code) => _refusalFields.GetValueOrDefault(code) ?? _everyRefusalAt;

    /// <summary>The field where a refusal of access is shown, or null for a snackbar.</summary>
    public string? FieldOfForbidden => _everyRefusalAt;
}
