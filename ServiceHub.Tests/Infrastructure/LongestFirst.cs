using Xunit.Abstractions;

[assembly: TestCollectionOrderer("ServiceHub.Tests.Infrastructure.LongestFirst", "ServiceHub.Tests")]

namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// Starts the collections that take longest first, so the run does not end with one long collection working alone while the
/// other core idles: a class marked <c>[Trait("Category", "Slow")]</c> (the demo history, about a minute by itself), then the
/// browser collection, then the app collection; the others after them in xunit's usual (stable) order.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank).ThenBy(c => c.UniqueID);

    private static int Rank(ITestCollection collection) => collection.DisplayName switch
    {
        _ when IsSlowClass(collection) => 0,
        BrowserCollection.Name => 1,
        AppCollection.Name => 2,
        _ => 3,
    };

    /// <summary>A class without a [Collection] is a collection of its own, named "Test collection for {class}".</summary>
    private static bool IsSlowClass(ITestCollection collection)
    {
        const string prefix = "Test collection for ";
        if (collection.CollectionDefinition is not null || !collection.DisplayName.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var type = typeof(LongestFirst).Assembly.GetType(collection.DisplayName[prefix.Length..]);
        return type is not null && type.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
            && a.ConstructorArguments is [{ Value: "Category" }, { Value: "Slow" }]);
    }
}
