using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ServiceHub.Tests.Admin;

/// <summary>All UI text comes from resources, in both languages.</summary>
public sealed partial class ResourceTests
{
    private static string RepoRoot() => ServiceHub.Tests.Infrastructure.Repository.Root;

    private static Dictionary<string, string> Load(string file) =>
        XDocument.Load(Path.Combine(RepoRoot(), "ServiceHub.App", "Resources", file)).Root!.Elements("data")
            .ToDictionary(e => e.Attribute("name")!.Value, e => e.Element("value")!.Value);

    [Fact]
    public void Chinese_and_english_resources_have_the_same_keys_and_no_empty_text()
    {
        var zh = Load("SharedResource.resx");
        var en = Load("SharedResource.en.resx");
        Assert.Equal(zh.Keys.Order(), en.Keys.Order());
        Assert.DoesNotContain(zh, kv => string.IsNullOrWhiteSpace(kv.Value));
        Assert.DoesNotContain(en, kv => string.IsNullOrWhiteSpace(kv.Value));
    }

    [Fact]
    public void The_resx_files_are_generated_from_the_current_string_tables()
    {
        var psi = new ProcessStartInfo("python3", [Path.Combine(RepoRoot(), "tools", "strings.py"), "--check"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
    }

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();

    [Fact]
    public void No_razor_file_hard_codes_chinese_text()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(RepoRoot(), "ServiceHub.App", "Components"), "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => Cjk().IsMatch(x.line) && !x.line.Contains("简体中文") && !x.line.TrimStart().StartsWith("//") && !x.line.TrimStart().StartsWith("@*"))
            .Select(x => $"{Path.GetFileName(x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public void Every_key_used_in_a_razor_file_exists()
    {
        var keys = Load("SharedResource.resx").Keys.ToHashSet();
        var missing = Directory.EnumerateFiles(Path.Combine(RepoRoot(), "ServiceHub.App", "Components"), "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"L\[""([^""$]+)""").Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value)))
            .Where(x => !keys.Contains(x.Key))
            .Select(x => $"{x.File}: {x.Key}")
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }
}
