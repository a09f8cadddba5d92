using Npgsql;

namespace ServiceHub.Data.Infrastructure;

/// <summary>One page of a server-paged list.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

/// <summary>The signed-in person on whose behalf an action runs; every repository action that changes data takes one.</summary>
public sealed record Actor(int Id, string UserName, string DisplayName, IReadOnlyCollection<string> Roles, int? DepartmentId, string? Ip = null)
{
    /// <summary>Whether the actor holds one of the roles, e.g. <c>actor.IsIn(Access.Supervisor)</c>.</summary>
    public bool IsIn(params IReadOnlyList<string> roles) => roles.Any(Roles.Contains);

    /// <summary>Server-side authorisation: refuses the action unless the actor holds one of the roles, e.g. <c>actor.Require(Access.Intake)</c>.</summary>
    public void Require(params IReadOnlyList<string> roles)
    {
        if (!IsIn(roles)) throw new ForbiddenException(UserName, roles);
    }

    /// <summary>The system itself (jobs, seeding).</summary>
    public static readonly Actor System = new(0, "system", "system", ["admin"], null);
}

public sealed class ForbiddenException(string userName, IEnumerable<string> roles)
    : UnauthorizedAccessException($"{userName} lacks any of the roles {string.Join(", ", roles)}");

/// <summary>A rule of the domain refused the action; nothing was written. <see cref="Code"/> is a resource key.</summary>
public sealed class DomainException(string code, params object[] args) : Exception(code)
{
    public string Code { get; } = code;
    public object[] Args { get; } = args;
}

/// <summary>One message per field, each a resource key with its arguments; nothing was written.</summary>
public sealed record FieldError(string Code, params object[] Args);

public sealed class ValidationFailedException(IReadOnlyDictionary<string, FieldError> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value.Code}")))
{
    public IReadOnlyDictionary<string, FieldError> Errors { get; } = errors;
}

public static class Db
{
    /// <summary>PostgreSQL unique violation.</summary>
    public static bool IsUniqueViolation(Exception ex) => ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}

/// <summary>
/// Every text input has a length limit (and a required one must not be blank): one message per field. A NUL character is refused too
/// (PostgreSQL's text cannot hold it); every other character — control characters, marks, emoji, markup — is stored as typed.
/// </summary>
public static class TextInput
{
    /// <summary>The error of a text, or null: required and blank, longer than <paramref name="max"/> characters (trimmed), or holding a NUL.</summary>
    public static FieldError? Error(string? value, int max, bool required = true)
    {
        var text = value?.Trim() ?? "";
        if (required && text.Length == 0) return new("Validation.Required");
        if (text.Length > max) return new("Validation.TooLong", max);
        if (text.Contains('\0')) return new("Validation.NulCharacter");
        return null;
    }

    /// <summary>Adds <paramref name="field"/>'s error (<see cref="Error"/>) to <paramref name="errors"/>.</summary>
    public static void Check(IDictionary<string, FieldError> errors, string field, string? value, int max, bool required = true)
    {
        if (Error(value, max, required) is { } error) errors[field] = error;
    }
}

/// <summary>
/// Searching and paging (issue #12 point 14): a text typed into a search box matches literally — <c>%</c>, <c>_</c> and <c>\</c>
/// are escaped for LIKE/ILIKE (PostgreSQL's default escape character is the backslash) — and no page is larger than
/// <see cref="MaxPageSize"/> rows, whatever the caller asks.
/// </summary>
public static class Search
{
    /// <summary>The most rows one page of any list returns.</summary>
    public const int MaxPageSize = 200;

    /// <summary>The longest search text looked for (longer text is cut).</summary>
    public const int MaxTextLength = 200;

    /// <summary><paramref name="text"/> with LIKE's wildcards and escape character escaped.</summary>
    public static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    /// <summary>A LIKE pattern for "contains the typed text" (null for a blank text), trimmed, cut to <see cref="MaxTextLength"/> and escaped.</summary>
    public static string? Contains(string? text) => Trimmed(text) is { } t ? "%" + EscapeLike(t) + "%" : null;

    /// <summary>The typed text trimmed and cut to <see cref="MaxTextLength"/>, or null when blank.</summary>
    public static string? Trimmed(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim();
        return t.Length > MaxTextLength ? t[..MaxTextLength] : t;
    }

    /// <summary>A page size between 1 and <see cref="MaxPageSize"/>.</summary>
    public static int Take(int take) => Math.Clamp(take, 1, MaxPageSize);

    /// <summary>A row offset, never negative.</summary>
    public static int Skip(int skip) => Math.Max(0, skip);
}
