using System.Text.RegularExpressions;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// Each table has one writer: a complaint (its row and its state row), its deadlines and its timeline change only through the complaint lifecycle
/// (<c>ServiceHub.Data/Complaints/Lifecycle/</c>); every other feature calls it. Test fixtures and benchmark seeders may bulk-insert.
/// </summary>
public sealed class OneWriterTests
{
    private static readonly Regex Writes = new(@"\b(UPDATE\s+complaints|INSERT\s+INTO\s+complaints|UPDATE\s+complaint_deadlines|INSERT\s+INTO\s+complaint_deadlines|INSERT\s+INTO\s+complaint_events|INSERT\s+INTO\s+complaint_contacts|UPDATE\s+complaint_states|INSERT\s+INTO\s+complaint_states)\b",
        RegexOptions.IgnoreCase);

    private static string Root() => ServiceHub.Tests.Infrastructure.Repository.Root;

    [Fact]
    public void Only_the_complaint_lifecycle_writes_complaints_their_deadlines_and_their_timeline()
    {
        var root = Root();
        var writers = new[] { "ServiceHub.Data", "ServiceHub.App", "ServiceHub.Jobs" }
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(root, p), "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cs") || f.EndsWith(".razor"))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/"))
            .Where(f => Writes.IsMatch(File.ReadAllText(Path.Combine(root, f))))
            .ToList();
        Assert.NotEmpty(writers);
        Assert.All(writers, f => Assert.StartsWith("ServiceHub.Data/Complaints/Lifecycle/", f));
    }
}
