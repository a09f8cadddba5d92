using System.Security.Cryptography;
using System.Text;
using ServiceHub.Data.Admin;

namespace ServiceHub.Data.Integrations;

/// <summary>What an API key may call (<c>api_keys.scopes</c>); each endpoint of <c>/api/v1</c> names one.</summary>
public static class ApiScopes
{
    /// <summary>Register a contact (<c>POST /api/v1/contacts</c>).</summary>
    public const string Contacts = "contacts";
    /// <summary>Read a complaint, its timeline and a department's queue.</summary>
    public const string ComplaintsRead = "complaints.read";
    /// <summary>A department's actions on a complaint: first contact, reply, extension.</summary>
    public const string ComplaintsWrite = "complaints.write";
    /// <summary>Report a first-class emergency.</summary>
    public const string Emergencies = "emergencies";
    /// <summary>Read a month's KPI figures.</summary>
    public const string Kpis = "kpis";
    /// <summary>Look a customer up by their full phone number (audited).</summary>
    public const string Customers = "customers";
    /// <summary>The telephone system: announce a call (<c>POST /api/v1/calls</c>).</summary>
    public const string Cti = "cti";

    public static readonly IReadOnlyList<string> All = [Contacts, ComplaintsRead, ComplaintsWrite, Emergencies, Kpis, Customers, Cti];
}

/// <summary>
/// API keys (issue #13 point 7): <c>shk_{prefix}_{secret}</c>, the prefix 8 base-32 characters (40 random bits) that find the row,
/// the secret 52 base-32 characters (256 random bits). Only the SHA-256 of the whole key is stored, and it is compared in constant
/// time; the key itself is shown once, when issued. A key acts as its own integration account (see <see cref="ApiKeyRepository"/>).
/// </summary>
public static class ApiKeyRules
{
    public const string Scheme = "shk";
    public const int PrefixLength = 8;
    public const int SecretLength = 52;
    /// <summary>
    /// The longest name: the key's integration account is named <c>api:{name}</c> (<see cref="ApiKeyRepository.UserNamePrefix"/>, 4
    /// characters), which must fit a user name (<see cref="UserRepository.UserNameMax"/>, a CHECK since sql/0135).
    /// </summary>
    public const int NameMax = UserRepository.UserNameMax - 4;
    /// <summary>The longest a key may live; an integration asks for a new one before then.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(730);
    /// <summary>The roles a key may act with: any but administration (a key never administers ServiceHub).</summary>
    public static readonly IReadOnlyList<string> AssignableRoles = Access.ApiKeyRoles;
    /// <summary>The longest a presented key may be (anything longer is refused unread).</summary>
    public const int PresentedMax = 100;

    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new key: its prefix and the whole key (to show once).</summary>
    public static (string Prefix, string Key) New()
    {
        var prefix = Encode(RandomNumberGenerator.GetBytes(5));
        var secret = Encode(RandomNumberGenerator.GetBytes(32))[..SecretLength];
        return (prefix, $"{Scheme}_{prefix}_{secret}");
    }

    /// <summary>The prefix of a presented key, or null when it is not shaped like one.</summary>
    public static string? PrefixOf(string? presented)
    {
        if (presented is null || presented.Length != Scheme.Length + 2 + PrefixLength + SecretLength) return null;
        var parts = presented.Split('_');
        if (parts.Length != 3 || parts[0] != Scheme || parts[1].Length != PrefixLength || parts[2].Length != SecretLength) return null;
        return parts[1].All(Base32.Contains) && parts[2].All(Base32.Contains) ? parts[1] : null;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Whether <paramref name="presented"/> is the key whose hash is stored; constant time in the hash comparison.</summary>
    public static bool Matches(string presented, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);

    private static string Encode(byte[] bytes)
    {
        var sb = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Base32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(Base32[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
