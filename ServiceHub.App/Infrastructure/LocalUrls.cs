namespace ServiceHub.App.Infrastructure;

/// <summary>
/// Where a redirect after sign-in or a language switch may go: a path on this site only (ASP.NET Core's <c>Url.IsLocalUrl</c> rule).
/// <c>//evil.example</c> and <c>/\evil.example</c> are other sites to a browser; a control character can hide the same trick.
/// </summary>
public static class LocalUrls
{
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    public static string OrHome(string? url) => IsLocal(url) ? url! : "/";
}
