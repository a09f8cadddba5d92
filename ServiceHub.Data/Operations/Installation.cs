using System.Security.Cryptography;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Operations;

/// <summary>What a seeding request finds in the database.</summary>
public enum DemoSeeding { Seed, AlreadyDemo, Refused }

/// <summary>
/// What this database is: a demo (seeded by <see cref="DemoSeeder"/>, which records it in <c>installation</c> in the same
/// transaction) or a real company's. Demo accounts never reach a database that holds other accounts, and the first
/// administrator of a real one is made from the command line with a password that must change at the first sign-in.
/// </summary>
public sealed class Installation(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public sealed class DemoRefusedException()
        : InvalidOperationException("This database holds accounts and was not seeded as a demo: demo data and demo accounts are never added to it. Use an empty database for the demo.");

    private bool? _isDemo;

    /// <summary>Whether this database was seeded as a demo (every page says so). Not private data: shown to anyone, the sign-in page too.</summary>
    public async Task<bool> IsDemoAsync(CancellationToken ct = default)
    {
        // Decided before the app serves (seeding happens at start-up), so one read per process is enough.
        if (_isDemo is { } known) return known;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (_isDemo = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT coalesce((SELECT is_demo FROM installation), false)", cancellationToken: ct))).Value;
    }

    /// <summary>Whether demo data may be seeded here: into an empty database (no accounts), or again into a demo (nothing to do).</summary>
    public static async Task<DemoSeeding> DemoSeedingAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct = default)
    {
        var (hasUsers, isDemo) = await conn.QuerySingleAsync<(bool, bool)>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM users), coalesce((SELECT is_demo FROM installation), false)
            """, transaction: tx, cancellationToken: ct));
        return !hasUsers ? DemoSeeding.Seed : isDemo ? DemoSeeding.AlreadyDemo : DemoSeeding.Refused;
    }

    /// <summary>At start-up, before seeding: a demo start against a database holding other accounts stops with a clear message.</summary>
    public static async Task CheckDemoSeedingAsync(string connectionString, bool seedDemo, CancellationToken ct = default)
    {
        if (!seedDemo) return;
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        if (await DemoSeedingAsync(conn, null, ct) == DemoSeeding.Refused)
            throw new DatabaseStartup.StartupException(new DemoRefusedException().Message + " (ServiceHub:SeedDemo is set.)");
    }

    /// <summary>Records, inside the seeding transaction, that this database is a demo.</summary>
    public static Task MarkDemoAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset now, CancellationToken ct = default) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO installation (is_demo, marked_at) VALUES (true, @now)
            ON CONFLICT (singleton) DO UPDATE SET is_demo = true, marked_at = EXCLUDED.marked_at
            """, new { now }, tx, cancellationToken: ct));

    /// <summary>
    /// An administrator made from the server's command line (no one is signed in yet: <see cref="Actor.System"/>): the
    /// password must change at the first sign-in. Refuses a taken name or a weak password; nothing is written then.
    /// </summary>
    public async Task<int> CreateAdministratorAsync(Actor actor, string userName, string displayName, string password, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        userName = userName.Trim();
        displayName = string.IsNullOrWhiteSpace(displayName) ? userName : displayName.Trim();
        // The command line shows one message: a name too long or holding a NUL is told as any form's field is (TextInput).
        if (TextInput.Error(userName, AdministratorName.MaxLength, required: false) is { } nameError) throw new DomainException(nameError.Code, nameError.Args);
        if (!AdministratorName.IsValid(userName)) throw new DomainException("Operations.AdminNameInvalid", AdministratorName.MaxLength);
        if (TextInput.Error(displayName, UserRepository.DisplayNameMax, required: false) is { } displayError) throw new DomainException(displayError.Code, displayError.Args);
        if (!PasswordPolicy.IsStrongEnough(password)) throw new DomainException("Password.TooWeak", PasswordPolicy.MinLength);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO users (user_name, display_name, password_hash, roles, must_change_password, created_at)
                VALUES (@userName, @displayName, @hash, ARRAY['admin'], true, @now)
                RETURNING id
                """, new { userName, displayName, hash = UserRepository.HashPassword(password), now = clock.GetUtcNow() }, tx, cancellationToken: ct));
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Create, "user", id.ToString(), $"{userName} roles=admin (command line; password to change at first sign-in)", ct);
            await tx.CommitAsync(ct);
            return id;
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new DomainException("User.NameTaken", userName);
        }
    }
}

/// <summary>A user name typed on a server's command line: letters, digits, '.', '_' and '-', at most <see cref="MaxLength"/> characters.</summary>
public static class AdministratorName
{
    public const int MaxLength = 50;

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && name.All(c => char.IsLetterOrDigit(c) || c is '.' or '_' or '-');
}

/// <summary>A generated password: 16 characters without look-alikes (0/O, 1/l/I), always with letters and digits.</summary>
public static class GeneratedPassword
{
    private const string Letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string Digits = "23456789";

    public static string New()
    {
        while (true)
        {
            var chars = RandomNumberGenerator.GetItems<char>(Letters + Digits, 16);
            var pw = new string(chars);
            if (PasswordPolicy.IsStrongEnough(pw)) return pw;
        }
    }
}
