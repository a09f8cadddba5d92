using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// Password hashes for the accounts tests make or copy (the demo template's users, <see cref="Build.UserAsync"/>): PasswordHasher's own
/// format (V3, PBKDF2, salt inside) with one round instead of production's 100,000. Signing in verifies them through the app's own
/// <see cref="ServiceHub.Data.Admin.UserRepository.VerifyPassword"/> (a hash with fewer rounds than the hasher's verifies, as an older
/// hash does), at no cost: each verification of a 100,000-round hash took about 0.1 s of CPU, and the run signs in hundreds of times.
/// What production hashes is tested on <see cref="ServiceHub.Data.Admin.UserRepository.SaveAsync"/>, whose accounts keep the full cost
/// (SessionSecurityTests' timing test among them).
/// </summary>
public static class TestPasswords
{
    private static readonly PasswordHasher<string> OneRound = new(Options.Create(new PasswordHasherOptions { IterationCount = 1 }));

    public static string Hash(string password) => OneRound.HashPassword("", password);
}
