using System.Globalization;
using System.Resources;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Operations;

namespace ServiceHub.App.Operations;

/// <summary>
/// The app's command-line verbs, for a server's operator (<c>servicehub.sh</c> calls them; a published build runs them as
/// <c>./ServiceHub.App VERB …</c>), with the same settings as the app (environment, appsettings.Production.json):
/// <code>
///   admin create NAME [--display-name TEXT] [--generate-password]   the first (or another) administrator
///   backup                                                          one backup now (for cron)
///   restore FILE [--no-switch]                                      restore into a new database, check, switch
///   restore --switch-to DATABASE                                    switch to a database restored earlier
/// </code>
/// </summary>
public static class OperationsCommands
{
    public const int Ok = 0, Failed = 1, Usage = 2, NotSwitched = 4;

    public static bool IsCommand(string[] args) => args is ["admin", ..] or ["backup", ..] or ["restore", ..];

    /// <summary>Before the web host is built: a verb runs and ends the process, or the production settings stop a start without them.</summary>
    public static async Task<int?> BeforeStartAsync(string[] args, WebApplicationBuilder builder)
    {
        if (IsCommand(args))
            return await RunAsync(args, builder.Configuration, Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);
        var problems = ProductionSettings.Problems(builder.Configuration, builder.Environment.EnvironmentName);
        if (problems.Count == 0) return null;
        Console.Error.WriteLine("ServiceHub: cannot start in Production without these settings (README, \"Deploying ServiceHub\"):");
        foreach (var p in problems) Console.Error.WriteLine($"  {p}");
        return Usage;
    }

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextReader input, TextWriter output, TextWriter error, bool interactive)
    {
        var cs = configuration.GetConnectionString("ServiceHub");
        if (string.IsNullOrWhiteSpace(cs))
        {
            await error.WriteLineAsync("ServiceHub: no database configured. Set ConnectionStrings__ServiceHub.");
            return Usage;
        }
        try
        {
            return args switch
            {
                ["admin", "create", var name, .. var rest] => await AdminCreateAsync(cs, configuration, name, rest, input, output, error, interactive),
                ["backup"] => await BackupAsync(cs, configuration, output),
                ["restore", "--switch-to", var database] => await SwitchAsync(cs, configuration, database, output),
                ["restore", var file, .. var rest] when !file.StartsWith("--", StringComparison.Ordinal) && rest.All(r => r == "--no-switch")
                    => await RestoreAsync(cs, configuration, file, !rest.Contains("--no-switch"), output),
                _ => await UsageAsync(error),
            };
        }
        catch (Exception ex) when (ex is DatabaseStartup.StartupException or Migrator.MigrationException or RestoreService.RestoreFailedException
                                       or PgTools.ToolFailedException or Npgsql.NpgsqlException)
        {
            await error.WriteLineAsync($"ServiceHub: {ex.Message}");
            return Failed;
        }
    }

    private static async Task<int> UsageAsync(TextWriter error)
    {
        await error.WriteLineAsync("""
            usage: ServiceHub.App admin create NAME [--display-name TEXT] [--generate-password]
                   ServiceHub.App backup
                   ServiceHub.App restore FILE [--no-switch]
                   ServiceHub.App restore --switch-to DATABASE
            """);
        return Usage;
    }

    private static ServiceProvider Services(string cs, IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(configuration);
        services.AddServiceHubData(cs);
        return services.BuildServiceProvider();
    }

    private static async Task PrepareDatabaseAsync(string cs)
    {
        await DatabaseStartup.CheckReachableAsync(cs);
        Migrator.Run(cs);
    }

    private static async Task<int> AdminCreateAsync(string cs, IConfiguration configuration, string name, string[] rest, TextReader input, TextWriter output, TextWriter error, bool interactive)
    {
        string? displayName = null;
        var generate = !interactive;
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--generate-password": generate = true; break;
                case "--display-name" when i + 1 < rest.Length: displayName = rest[++i]; break;
                default: return await UsageAsync(error);
            }
        }

        string password;
        if (generate) password = GeneratedPassword.New();
        else
        {
            await output.WriteAsync($"Password for {name} (at least {Data.Admin.PasswordPolicy.MinLength} characters with letters and digits; empty: generate one): ");
            password = ReadSecret(input);
            if (password.Length == 0) generate = true;
            else
            {
                await output.WriteAsync("The same password again: ");
                if (ReadSecret(input) != password)
                {
                    await error.WriteLineAsync("ServiceHub: the two passwords differ; nothing was created.");
                    return Failed;
                }
            }
            if (generate) password = GeneratedPassword.New();
        }

        await PrepareDatabaseAsync(cs);
        await using var services = Services(cs, configuration);
        try
        {
            await services.GetRequiredService<Installation>().CreateAdministratorAsync(Actor.System, name, displayName ?? name, password);
        }
        catch (DomainException ex)
        {
            await error.WriteLineAsync($"ServiceHub: {English(ex)} Nothing was created.");
            return Failed;
        }
        await output.WriteLineAsync($"Administrator {name} created.");
        if (generate) await output.WriteLineAsync($"Password (shown once): {password}");
        await output.WriteLineAsync("The password must be changed at the first sign-in.");
        return Ok;
    }

    /// <summary>A typed password without echo on a terminal; a plain line otherwise.</summary>
    private static string ReadSecret(TextReader input)
    {
        if (!ReferenceEquals(input, Console.In) || Console.IsInputRedirected) return input.ReadLine() ?? "";
        var chars = new List<char>();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (chars.Count > 0) chars.RemoveAt(chars.Count - 1); }
            else if (!char.IsControl(key.KeyChar)) chars.Add(key.KeyChar);
        }
        Console.WriteLine();
        return new string([.. chars]);
    }

    private static async Task<int> BackupAsync(string cs, IConfiguration configuration, TextWriter output)
    {
        await PrepareDatabaseAsync(cs);
        await using var services = Services(cs, configuration);
        var r = await services.GetRequiredService<BackupService>().RunAsync(Actor.System, BackupTriggers.Command);
        if (r is null)
        {
            await output.WriteLineAsync("Another backup of this database is under way; nothing done.");
            return Ok;
        }
        var directory = configuration["Backups:Directory"];
        await output.WriteLineAsync(r.Succeeded
            ? $"Backup {Path.Combine(directory ?? "", r.FileName ?? "")} written and verified ({r.SizeBytes:N0} bytes, {(r.FinishedAt - r.StartedAt).TotalSeconds:0.0} s). {r.Message}".TrimEnd()
            : $"Backup failed: {r.Message}");
        return r.Succeeded ? Ok : Failed;
    }

    private static async Task<int> RestoreAsync(string cs, IConfiguration configuration, string file, bool switchWhenChecked, TextWriter output)
    {
        var restore = new RestoreService(cs, configuration["Backups:PgBinDir"], TimeProvider.System, line => output.WriteLine($"  {line}"));
        var r = await restore.RestoreAsync(Path.GetFullPath(file), switchWhenChecked);
        await output.WriteLineAsync($"Restored {file} ({r.DumpRows.Count} tables, {r.DumpRows.Values.Sum():N0} rows) into database {r.Database}: " +
            $"read {r.ReadTime.TotalSeconds:0.0} s, restore {r.RestoreTime.TotalSeconds:0.0} s, check {r.CheckTime.TotalSeconds:0.0} s.");
        foreach (var note in r.Notes) await output.WriteLineAsync($"  note: {note}");
        if (!r.Passed)
        {
            await output.WriteLineAsync($"The check FAILED; nothing was switched. {r.Database} is left for inspection:");
            foreach (var p in r.Problems) await output.WriteLineAsync($"  - {p}");
            return Failed;
        }
        await output.WriteLineAsync("The check passed: every table has the dump's row count; the migrations journal is present and complete.");
        return await ReportSwitchAsync(cs, r.Database, r.Switch, output);
    }

    private static async Task<int> SwitchAsync(string cs, IConfiguration configuration, string database, TextWriter output)
    {
        var (result, problems) = await new RestoreService(cs, configuration["Backups:PgBinDir"], TimeProvider.System).SwitchAsync(database);
        foreach (var p in problems) await output.WriteLineAsync($"  - {p}");
        if (problems.Count > 0) return Failed;
        return await ReportSwitchAsync(cs, database, result, output);
    }

    private static async Task<int> ReportSwitchAsync(string cs, string restored, SwitchResult? result, TextWriter output)
    {
        var current = new Npgsql.NpgsqlConnectionStringBuilder(cs).Database;
        if (result is null)
        {
            await output.WriteLineAsync($"Not switched (--no-switch). To use it: ./servicehub.sh restore --switch-to {restored}, or set Database={restored} in ConnectionStrings__ServiceHub.");
            return Ok;
        }
        if (!result.Switched)
        {
            await output.WriteLineAsync($"Not switched: {result.Reason}. Then run: ./servicehub.sh restore --switch-to {restored}");
            return NotSwitched;
        }
        await output.WriteLineAsync($"Switched: database {current} is now the restored one" +
            (result.ReplacedDatabase is null ? "." : $"; the one it replaced is kept as {result.ReplacedDatabase} (drop it when no longer needed)."));
        return Ok;
    }

    private static readonly ResourceManager Resources = new("ServiceHub.App.Resources.SharedResource", typeof(SharedResource).Assembly);

    private static string English(DomainException ex) =>
        Resources.GetString(ex.Code, CultureInfo.GetCultureInfo("en")) is { } text ? string.Format(CultureInfo.InvariantCulture, text, ex.Args) : ex.Code;
}
