using System.Diagnostics;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>
/// A machine without the .NET 10 SDK (issue #12 point 3): <c>servicehub.sh</c> installs <c>dotnet-sdk-10.0</c> from the
/// distribution's packages where apt has it, and otherwise stops with the exact commands to install it. The script runs from a
/// copy in a temporary folder with stand-ins for <c>dotnet</c> (an SDK 8 only, until the package is installed), <c>apt-cache</c>
/// and <c>apt-get</c> first on the PATH; each stand-in writes its arguments to a log. <c>publish</c> is the command: it needs the
/// SDK and then calls <c>dotnet publish</c>, which the stand-in refuses, so nothing is built.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // bash and Unix file modes
public sealed class SdkInstallScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("servicehub-sdk-").FullName;
    private string Bin => Path.Combine(_dir, "bin");

    public SdkInstallScriptTests()
    {
        Directory.CreateDirectory(Bin);
        File.Copy(Path.Combine(Repository.Root, "servicehub.sh"), Path.Combine(_dir, "servicehub.sh"));
        File.WriteAllText(Path.Combine(_dir, "ServiceHub.sln"), ""); // a source checkout, not a published build
        Script("dotnet", $"""
            echo "dotnet $*" >> "{_dir}/calls.log"
            if [ "$1" = "--list-sdks" ]; then cat "{_dir}/sdks"; exit 0; fi
            exit 1
            """);
        File.WriteAllText(Path.Combine(_dir, "sdks"), "8.0.404 [/usr/share/dotnet/sdk]\n");
        Script("sudo", "\"$@\"");
        Script("apt-get", $"""
            echo "apt-get $*" >> "{_dir}/calls.log"
            case " $* " in *" install "*) echo "10.0.100 [/usr/lib/dotnet/sdk]" >> "{_dir}/sdks" ;; esac
            exit 0
            """);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Script(string name, string body)
    {
        var path = Path.Combine(Bin, name);
        File.WriteAllText(path, "#!/bin/bash\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private void AptCandidate(string candidate) => Script("apt-cache", $"""
        echo "apt-cache $*" >> "{_dir}/calls.log"
        printf 'dotnet-sdk-10.0:\n  Installed: (none)\n  Candidate: {candidate}\n'
        """);

    private async Task<(int ExitCode, string Errors, string[] Calls)> PublishAsync()
    {
        var start = new ProcessStartInfo("/bin/bash", [Path.Combine(_dir, "servicehub.sh"), "publish"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _dir,
        };
        start.Environment["PATH"] = $"{Bin}:/usr/sbin:/usr/bin:/sbin:/bin";
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var log = Path.Combine(_dir, "calls.log");
        return (process.ExitCode, await errors, File.Exists(log) ? await File.ReadAllLinesAsync(log) : []);
    }

    [Fact]
    public async Task Where_apt_has_the_package_the_sdk_is_installed_from_it_and_the_command_goes_on()
    {
        AptCandidate("10.0.100-0ubuntu1~24.04.1");
        var (_, errors, calls) = await PublishAsync();

        Assert.Contains("installing dotnet-sdk-10.0 10.0.100-0ubuntu1~24.04.1 from the distribution's packages", errors);
        Assert.Contains("apt-get install -y -qq --no-install-recommends dotnet-sdk-10.0", calls);
        Assert.Contains(calls, c => c.StartsWith("dotnet publish ServiceHub.App/ServiceHub.App.csproj", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Where_no_package_has_it_the_command_stops_with_the_commands_to_install_it()
    {
        AptCandidate("(none)");
        var (exitCode, errors, calls) = await PublishAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("has no dotnet-sdk-10.0 package", errors);
        Assert.Matches(@"wget https://packages\.microsoft\.com/config/[a-z]+/[0-9.]+/packages-microsoft-prod\.deb -O packages-microsoft-prod\.deb", errors);
        Assert.Contains("sudo apt-get update && sudo apt-get install -y dotnet-sdk-10.0", errors);
        Assert.Contains("bash dotnet-install.sh --channel 10.0 --install-dir", errors);
        Assert.DoesNotContain(calls, c => c.StartsWith("apt-get install", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.StartsWith("dotnet publish", StringComparison.Ordinal));
    }
}
