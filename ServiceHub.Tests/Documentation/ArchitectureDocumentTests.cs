using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Documentation;

/// <summary>
/// ARCHITECTURE.md and the README's layout table match the tree (issue #15, "done means"): every table and view a migration leaves
/// has an owner in ARCHITECTURE.md, every feature folder of ServiceHub.Data is named there, and every path of the layout table exists —
/// so a new table, folder or rename cannot leave the map behind unnoticed.
/// </summary>
public sealed partial class ArchitectureDocumentTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static readonly string Architecture = File.ReadAllText(Path.Combine(Repository.Root, "ARCHITECTURE.md"));

    [Fact]
    public async Task Every_table_and_view_of_the_schema_has_its_owner_in_the_architecture_page()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        var relations = (await conn.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).ToList();
        Assert.Contains("complaints", relations); // the query reads the migrated schema

        var named = Words().Matches(Architecture).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var missing = relations.Where(r => !named.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "ARCHITECTURE.md, \"Who owns which table\", names no owner of: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_feature_folder_of_the_data_layer_is_named_in_the_architecture_page()
    {
        var folders = Directory.GetDirectories(Path.Combine(Repository.Root, "ServiceHub.Data"))
            .Select(Path.GetFileName).Where(n => n is not ("bin" or "obj")).ToList();
        Assert.Contains("Complaints", folders);
        var missing = folders.Where(f => !Architecture.Contains($"`{f}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "ARCHITECTURE.md, \"Feature folders\", does not name: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_path_of_the_readmes_layout_table_exists()
    {
        var readme = File.ReadAllLines(Path.Combine(Repository.Root, "README.md"));
        var start = Array.FindIndex(readme, l => l == "## Layout");
        Assert.True(start >= 0, "README.md has a \"## Layout\" section");
        var paths = readme.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Select(l => LayoutPath().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value.TrimEnd('/')).ToList();
        Assert.True(paths.Count >= 8, $"the layout table lists the tree ({paths.Count} paths read)");
        var missing = paths.Where(p => !File.Exists(Path.Combine(Repository.Root, p)) && !Directory.Exists(Path.Combine(Repository.Root, p))).ToList();
        Assert.True(missing.Count == 0, "README.md's layout table names paths that do not exist: " + string.Join(", ", missing));
    }

    [GeneratedRegex("[a-z][a-z0-9_]*")]
    private static partial Regex Words();

    /// <summary>The first cell of a layout row: <c>| `path` | what |</c>.</summary>
    [GeneratedRegex(@"^\| `([^`]+)` \|")]
    private static partial Regex LayoutPath();
}
