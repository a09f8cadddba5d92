using System.Reflection;
using System.Text.RegularExpressions;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Documentation;

/// <summary>
/// docs/rules.md is the map from each rule of DOMAIN.md to the one place that implements it and the tests that prove it (issue #15
/// point 8): its sections follow DOMAIN.md's order, every row names its tests in full (no wildcard, no "…"), every test it names
/// exists, and every file it names is in the repository — so the map cannot silently rot when a test or file is renamed.
/// </summary>
public sealed partial class RulesDocumentTests
{
    private sealed record Row(int Line, string Section, string Rule, string Code, string Tests);

    private static readonly Lazy<List<Row>> Rows = new(Read);

    private static List<Row> Read()
    {
        var rows = new List<Row>();
        var section = "";
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "docs", "rules.md"));
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("## ", StringComparison.Ordinal)) section = line[3..];
            if (!line.StartsWith("| ", StringComparison.Ordinal) || line.StartsWith("| rule |", StringComparison.Ordinal)) continue;
            var cells = line.Trim().Trim('|').Split(" | ");
            Assert.True(cells.Length == 3, $"docs/rules.md line {i + 1}: a row has three cells (rule | code | tests), found {cells.Length}");
            rows.Add(new Row(i + 1, section, cells[0].Trim(), cells[1].Trim(), cells[2].Trim()));
        }
        return rows;
    }

    /// <summary>Every test of the suite as "Class.Method".</summary>
    private static readonly Lazy<HashSet<string>> Tests = new(() => typeof(RulesDocumentTests).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any())
            .Select(m => $"{t.Name}.{m.Name}"))
        .ToHashSet(StringComparer.Ordinal));

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"^[A-Z]\w*\.[A-Za-z_]\w*$")]
    private static partial Regex TestName();

    [GeneratedRegex(@"^(ServiceHub\.[A-Za-z]+|sql|docs|tools|\.ci)/[^\s*…{}]+\.[a-z]+$")]
    private static partial Regex RepoFile();

    [Fact]
    public void Every_row_names_its_tests_in_full_and_each_of_them_exists()
    {
        var problems = new List<string>();
        foreach (var row in Rows.Value)
        {
            if (row.Tests.Contains('…') || row.Tests.Contains('*'))
                problems.Add($"line {row.Line}: a wildcard or '…' in the tests");
            var named = Code().Matches(row.Tests).Select(m => m.Groups[1].Value).Where(t => TestName().IsMatch(t)).ToList();
            // A rule proven by a benchmark or by a documented check by hand says so; every other row names tests.
            var byOtherMeans = row.Tests.StartsWith("benchmark:", StringComparison.Ordinal) || row.Tests.StartsWith("by hand", StringComparison.Ordinal);
            if (named.Count == 0 && !byOtherMeans) problems.Add($"line {row.Line}: no test named");
            problems.AddRange(named.Where(t => !Tests.Value.Contains(t)).Select(t => $"line {row.Line}: no test {t}"));
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Every_file_a_row_names_is_in_the_repository()
    {
        var missing = Rows.Value
            .SelectMany(r => Code().Matches(r.Code + " " + r.Rule).Select(m => (r.Line, Path: m.Groups[1].Value)))
            .Where(x => RepoFile().IsMatch(x.Path) && !File.Exists(Path.Combine(Repository.Root, x.Path)))
            .Select(x => $"line {x.Line}: {x.Path}")
            .ToList();
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    [GeneratedRegex(@"^§(\d+)")]
    private static partial Regex DomainSection();

    [Fact]
    public void The_sections_follow_the_domains_order_and_the_engineering_rules_come_after_it()
    {
        var sections = File.ReadAllLines(Path.Combine(Repository.Root, "docs", "rules.md"))
            .Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..]).ToList();
        var numbers = sections.Select(s => DomainSection().Match(s)).Select(m => m.Success ? int.Parse(m.Groups[1].Value) : int.MaxValue).ToList();
        Assert.Equal(numbers.Order(), numbers);
        // DOMAIN.md's nine sections (1 Organisation … 9 Service language) each have rows.
        Assert.All(Enumerable.Range(1, 9), n => Assert.Contains(n, numbers));
    }
}
