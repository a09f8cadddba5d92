using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// The security settings of a deployment, read and checked once at start-up (a wrong one stops start-up naming the key):
/// <list type="bullet">
/// <item><c>ServiceHub:PublicUrl</c>: the address users open; https turns on HTTPS redirection, HSTS and <c>Secure</c> cookies.</item>
/// <item><c>ReverseProxy:KnownProxies</c> / <c>ReverseProxy:KnownNetworks</c>: the only addresses whose X-Forwarded-For/-Proto are believed.</item>
/// <item><c>DataProtection:Certificate:Path</c> / <c>:Password</c>: a PFX that encrypts the data-protection keys kept in PostgreSQL;
/// required in Production unless <c>DataProtection:AllowUnencryptedKeys</c> is true.</item>
/// </list>
/// </summary>
public sealed record SecuritySettings(
    Uri? PublicUrl, IReadOnlyList<IPAddress> KnownProxies, IReadOnlyList<System.Net.IPNetwork> KnownNetworks,
    string? CertificatePath, string? CertificatePassword, bool AllowUnencryptedKeys)
{
    public sealed class InvalidException(string message) : Exception(message);

    public bool IsHttps => PublicUrl?.Scheme == Uri.UriSchemeHttps;

    /// <summary>Anyone who can read the table can forge a sign-in cookie for any account: said at start-up and in the README.</summary>
    public const string UnencryptedKeysRisk =
        "the data-protection keys in table data_protection_keys are stored unencrypted: anyone who can read that table (a database " +
        "backup, a read-only database account) can forge a sign-in cookie for any user, administrators included. Configure " +
        "DataProtection:Certificate:Path (a PFX) and DataProtection:Certificate:Password to encrypt them.";

    public static SecuritySettings Read(IConfiguration configuration)
    {
        Uri? publicUrl = null;
        if (configuration["ServiceHub:PublicUrl"] is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out publicUrl) || publicUrl.Scheme is not ("http" or "https")))
            throw new InvalidException($"ServiceHub:PublicUrl '{url}' is not an http:// or https:// address.");

        var proxies = Values(configuration, "ReverseProxy:KnownProxies").Select(p =>
            IPAddress.TryParse(p, out var ip) ? ip : throw new InvalidException($"ReverseProxy:KnownProxies: '{p}' is not an IP address.")).ToList();
        var networks = Values(configuration, "ReverseProxy:KnownNetworks").Select(n =>
            System.Net.IPNetwork.TryParse(n, out var net) ? net : throw new InvalidException($"ReverseProxy:KnownNetworks: '{n}' is not a network such as 10.0.0.0/8.")).ToList();

        var path = configuration["DataProtection:Certificate:Path"];
        if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            throw new InvalidException($"DataProtection:Certificate:Path '{path}' does not exist.");
        return new SecuritySettings(publicUrl, proxies, networks, string.IsNullOrWhiteSpace(path) ? null : path,
            configuration["DataProtection:Certificate:Password"], configuration.GetValue("DataProtection:AllowUnencryptedKeys", false));
    }

    /// <summary>Production refuses unencrypted data-protection keys unless they are allowed explicitly.</summary>
    public SecuritySettings RequireFor(IHostEnvironment environment)
    {
        if (environment.IsProduction() && CertificatePath is null && !AllowUnencryptedKeys)
            throw new InvalidException("DataProtection:Certificate:Path is required in Production (or set DataProtection:AllowUnencryptedKeys=true " +
                "to accept the risk that anyone who can read the database can forge sign-in cookies).");
        using var readable = KeyCertificate(); // a wrong path, password or a PFX without its key stops start-up here
        return this;
    }

    /// <summary>The certificate that encrypts the data-protection keys (with its private key, to decrypt them again).</summary>
    public X509Certificate2? KeyCertificate()
    {
        if (CertificatePath is null) return null;
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
            return certificate.HasPrivateKey ? certificate
                : throw new InvalidException($"DataProtection:Certificate:Path '{CertificatePath}' has no private key (a PFX with the key is needed to read the keys back).");
        }
        catch (CryptographicException ex)
        {
            throw new InvalidException($"DataProtection:Certificate:Path '{CertificatePath}' cannot be read ({ex.Message}): check DataProtection:Certificate:Password.");
        }
    }

    /// <summary>What a deployment should know at start-up.</summary>
    public void LogWarnings(ILogger logger, IHostEnvironment environment)
    {
        if (CertificatePath is null) logger.LogWarning("Security: {Risk}", UnencryptedKeysRisk);
        if (environment.IsProduction() && !IsHttps)
            logger.LogWarning("Security: ServiceHub:PublicUrl is not an https:// address: no HTTPS redirection, no HSTS, and cookies are not marked Secure.");
        if (environment.IsProduction() && KnownProxies.Count == 0 && KnownNetworks.Count == 0)
            logger.LogInformation("Security: no ReverseProxy:KnownProxies/KnownNetworks: X-Forwarded-* headers are ignored (right when no reverse proxy is in front).");
    }

    /// <summary>A list setting given as an array (<c>Key:0</c>, <c>Key:1</c>, as in appsettings.json) or as one comma-separated value (an environment variable).</summary>
    private static IEnumerable<string> Values(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        var values = section.GetChildren().Select(c => c.Value).ToList();
        if (section.Value is { } single) values.Add(single);
        return values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
