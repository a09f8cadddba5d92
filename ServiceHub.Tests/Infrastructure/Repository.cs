namespace ServiceHub.Tests.Infrastructure;

/// <summary>The repository the tests run from (the folder holding <c>ServiceHub.sln</c>), for tests that read its sources and documents.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ServiceHub.sln"))) return dir.FullName;
        throw new InvalidOperationException("ServiceHub.sln not found above " + AppContext.BaseDirectory);
    }
}
