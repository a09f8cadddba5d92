using ServiceHub.Tests.Admin;
using ServiceHub.Tests.Reports;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>The run starts with its longest collection, so it does not end with a minute of one collection working alone.</summary>
public sealed class LongestFirstTests
{
    [Fact]
    public void The_demo_history_collection_starts_first_then_the_browser_and_the_app_collections()
    {
        var assembly = new TestAssembly(Reflector.Wrap(typeof(LongestFirst).Assembly));
        ITestCollection Defined(Type definition, string name) => new TestCollection(assembly, Reflector.Wrap(definition), name);
        var ownClass = new TestCollection(assembly, null, $"Test collection for {typeof(AnnualReportWorkbookTests).FullName}");

        var ordered = new LongestFirst().OrderTestCollections([
            ownClass, Defined(typeof(AppCollection), AppCollection.Name), Defined(typeof(BrowserCollection), BrowserCollection.Name),
            Defined(typeof(DemoHistoryCollection), DemoHistoryCollection.Name),
        ]);

        Assert.Equal([DemoHistoryCollection.Name, BrowserCollection.Name, AppCollection.Name, ownClass.DisplayName], ordered.Select(c => c.DisplayName));
    }
}
