namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The tests that read the app through HTTP (pages, downloads, sign-in, jobs' registration) share one <see cref="AppFactory"/>:
/// one database, one demo company, one host. Tests of a collection run one after another, never at once; what one leaves behind
/// the next sees, so a test here asserts on records of its own (its own complaint, user or title) or on what no test changes,
/// and moves the shared clock only forward by minutes or hours (it starts in the morning of a working day).
/// </summary>
[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFactory>
{
    public const string Name = "app";
}
