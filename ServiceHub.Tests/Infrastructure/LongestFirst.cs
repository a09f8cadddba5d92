using Xunit.Abstractions;

[assembly: TestCollectionOrderer("ServiceHub.Tests.Infrastructure.LongestFirst", "ServiceHub.Tests")]

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// Starts the collections that take longest first, so the run does not end with one long collection working alone while the
/// other core idles: a collection marked <c>[Trait("Category", "Slow")]</c> — on its definition, or on the class of a class's own
/// collection — (the demo history, about a minute by itself; the published build, a publish and a start of its own), then the browser
/// collection, then the app collection, then the fault tests (<c>[Trait("Category", "faults")]</c>: one long test each, mostly a wait on
/// a child process or a cluster); the others after them in xunit's usual (stable) order.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank).ThenBy(c => c.UniqueID);

    private static int Rank(ITestCollection collection) => collection.DisplayName switch
    {
        _ when Is(collection, "Slow") => 0,
        BrowserCollection.Name => 1,
        AppCollection.Name => 2,
        _ when Is(collection, "faults") => 3,
        _ => 4,
    };

    /// <summary>
    /// Whether the class that stands for the collection carries <c>[Trait("Category", category)]</c>: its [CollectionDefinition] class,
    /// or, for a class without a [Collection] (a collection of its own, named "Test collection for {class}"), that class.
    /// </summary>
    private static bool Is(ITestCollection collection, string category)
    {
        const string prefix = "Test collection for ";
        var name = collection.CollectionDefinition?.Name
            ?? (collection.DisplayName.StartsWith(prefix, StringComparison.Ordinal) ? collection.DisplayName[prefix.Length..] : null);
        if (name is null) return false;
        var type = typeof(LongestFirst).Assembly.GetType(name);
        return type is not null && type.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
            && a.ConstructorArguments is [{ Value: "Category" }, { Value: string value }] && value == category);
    }
}
