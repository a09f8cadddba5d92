using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>The app started as production is: no demo seeding, every required setting present.</summary>
public class ProductionAppFactory : AppFactory
{
    public string BackupDirectory { get; } = Directory.CreateTempSubdirectory("servicehub-backups-").FullName;

    protected override IDictionary<string, string?> Settings => ProductionConfiguration.Settings(BackupDirectory);

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(BackupDirectory, recursive: true);
    }
}

/// <summary>The same on a real Kestrel port, for the browser.</summary>
public sealed class ProductionBrowserAppFactory : ProductionAppFactory
{
    protected override bool Kestrel => true;
}

public static class ProductionConfiguration
{
    public const string CertificatePassword = "test-certificate-password-1";
    private static readonly Lazy<string> Certificate = new(() => CreateCertificate(CertificatePassword));

    public static string CertificatePath => Certificate.Value;

    public static IDictionary<string, string?> Settings(string backupDirectory) => new Dictionary<string, string?>
    {
        ["ServiceHub:SeedDemo"] = "false",
        ["ServiceHub:PublicUrl"] = "http://servicehub.example.test",
        ["DataProtection:Certificate:Path"] = CertificatePath,
        ["DataProtection:Certificate:Password"] = CertificatePassword,
        ["Backups:Directory"] = backupDirectory,
    };

    /// <summary>A self-signed certificate with its private key, as an operator makes one with openssl (README).</summary>
    public static string CreateCertificate(string? password)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ServiceHub data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        var path = Path.Combine(Path.GetTempPath(), $"servicehub-dp-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, cert.Export(X509ContentType.Pfx, password));
        return path;
    }
}
