using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

/// <summary>The app with <c>DataProtection:Certificate:Path</c> set to a fresh self-signed PFX.</summary>
public sealed class CertificateAppFactory : AppFactory
{
    public const string CertificatePassword = "pfx-Secret-1";
    public string CertificatePath { get; } = Path.Combine(Path.GetTempPath(), $"servicehub-keys-{Guid.NewGuid():N}.pfx");

    public CertificateAppFactory()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=ServiceHub data protection (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(CertificatePath, certificate.Export(X509ContentType.Pfx, CertificatePassword));
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["DataProtection:AllowUnencryptedKeys"] = "false",
        ["DataProtection:Certificate:Path"] = CertificatePath,
        ["DataProtection:Certificate:Password"] = CertificatePassword,
    };
}

public sealed class DataProtectionTests(CertificateAppFactory app) : IClassFixture<CertificateAppFactory>, IDisposable
{
    /// <summary>The app read the certificate at start-up; the file can go.</summary>
    public void Dispose() => File.Delete(app.CertificatePath);

    [Fact]
    public async Task With_a_certificate_the_keys_in_the_database_are_encrypted_and_sign_in_still_works()
    {
        var client = await app.SignedInClientAsync("agent");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        await using var conn = new NpgsqlConnection(app.ConnectionString);
        var keys = (await conn.QueryAsync<string>("SELECT xml FROM data_protection_keys")).ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<encryptedSecret", xml);
            Assert.DoesNotContain("<value>", xml); // the unencrypted master key
        });
    }

    [Fact]
    public async Task Production_without_a_key_certificate_refuses_to_start_naming_the_setting()
    {
        var (exitCode, lines) = await StartupTests.RunAppAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__ServiceHub"] = app.ConnectionString,
            // The other required production settings (README, "Deploying ServiceHub"), so only the certificate is missing.
            ["ServiceHub__PublicUrl"] = "http://servicehub.example.test",
            ["Backups__Directory"] = Path.GetTempPath(),
        });
        Assert.Equal(2, exitCode);
        Assert.Contains("DataProtection:Certificate:Path is required in Production", Assert.Single(lines));
    }
}
