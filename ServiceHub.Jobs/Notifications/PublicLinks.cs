using Microsoft.Extensions.Configuration;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// Absolute links in messages, from the address people open (<c>ServiceHub:PublicUrl</c>; without it the app's first listening
/// address): a message's link opens its record after sign-in.
/// </summary>
public sealed class PublicLinks(IConfiguration configuration)
{
    public string Base
    {
        get
        {
            var url = configuration["ServiceHub:PublicUrl"];
            if (string.IsNullOrWhiteSpace(url))
                url = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://localhost")
                    .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://localhost";
            return url.TrimEnd('/');
        }
    }

    /// <summary>The absolute address of an app path (<c>/emergencies/7</c>); an empty path is the home page.</summary>
    public string For(string path) => Base + (string.IsNullOrEmpty(path) ? "/" : path.StartsWith('/') ? path : "/" + path);
}
