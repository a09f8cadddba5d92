
namespace ServiceHub.App.Operations;

/// <summary>A setting a production start cannot do without: its key (<c>Section:Name</c>, in the environment <c>Section__Name</c>) and what it is.</summary>
public sealed record RequiredSetting(string Key, string Meaning)
{
    public string EnvironmentVariable => Key.Replace(":", "__", StringComparison.Ordinal);
}

/// <summary>
/// The settings a production start needs (README, "Deploying ServiceHub"). In the Production environment, unless the app is
/// started as the demo (<c>ServiceHub:SeedDemo</c>), a missing or unusable one stops start-up, named in the message. The
/// data-protection certificate (<c>DataProtection:Certificate:Path</c>) is checked by <c>SecuritySettings</c>.
/// </summary>
public static class ProductionSettings
{
    public const string ConnectionString = "ConnectionStrings:ServiceHub";
    public const string PublicUrl = "ServiceHub:PublicUrl";
    public const string CertificatePath = "DataProtection:Certificate:Path";
    public const string CertificatePassword = "DataProtection:Certificate:Password";
    /// <summary>The sign-in and headers work's explicit acceptance of unencrypted keys (issue #12 point 12): then no certificate is required.</summary>
    public const string AllowUnencryptedKeys = "DataProtection:AllowUnencryptedKeys";
    public const string BackupDirectory = "Backups:Directory";

    public static readonly IReadOnlyList<RequiredSetting> Required =
    [
        new(ConnectionString, "the PostgreSQL connection string, e.g. Host=db;Database=servicehub;Username=servicehub;Password=…"),
        new(PublicUrl, "the address people open, e.g. https://servicehub.example.com"),
        new(BackupDirectory, "the folder of the nightly backups, e.g. /var/backups/servicehub"),
    ];

    public static bool Applies(IConfiguration configuration, string environmentName) =>
        string.Equals(environmentName, Environments.Production, StringComparison.OrdinalIgnoreCase)
        && !configuration.GetValue("ServiceHub:SeedDemo", false);

    /// <summary>Every missing or unusable required setting, each naming its environment variable and key; empty when all is well.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, string environmentName)
    {
        if (!Applies(configuration, environmentName)) return [];
        var problems = new List<string>();
        foreach (var s in Required)
            if (string.IsNullOrWhiteSpace(configuration[s.Key]))
                problems.Add($"{s.EnvironmentVariable} ({s.Key}) is not set: {s.Meaning}");

        if (configuration[PublicUrl] is { Length: > 0 } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            problems.Add($"{Env(PublicUrl)} ({PublicUrl}) is not an absolute http(s) address: {url}");

        return problems;
    }

    private static string Env(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
