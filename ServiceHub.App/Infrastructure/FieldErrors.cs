using Microsoft.Extensions.Localization;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.App.Infrastructure;

/// <summary>Server-side validation messages shown at their fields (MudBlazor Error/ErrorText).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string> _errors = [];

    public bool Has(string field) => _errors.ContainsKey(field);
    public string? Text(string field) => _errors.GetValueOrDefault(field);
    public bool Any => _errors.Count > 0;
    public void Clear() => _errors.Clear();
    public void Remove(string field) => _errors.Remove(field);

    public void Set(IStringLocalizer l, ValidationFailedException ex)
    {
        _errors.Clear();
        foreach (var (field, error) in ex.Errors) _errors[field] = l[error.Code, error.Args];
    }
}
