using ServiceHub.Tests.Admin;
using ServiceHub.Tests.Faults;
using ServiceHub.Tests.Operations;
using ServiceHub.Tests.Reports;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>The run starts with its longest collections, so it does not end with a minute of one collection working alone.</summary>
public sealed class LongestFirstTests
{
    [Fact]
    public void The_slow_collections_start_first_then_the_browser_and_the_app_collections_then_the_fault_tests()
    {
        var assembly = new TestAssembly(Reflector.Wrap(typeof(LongestFirst).Assembly));
        ITestCollection Defined(Type definition, string name) => new TestCollection(assembly, Reflector.Wrap(definition), name);
        ITestCollection Own(Type testClass) => new TestCollection(assembly, null, $"Test collection for {testClass.FullName}");
        var ownClass = Own(typeof(AnnualReportWorkbookTests));
        var published = Own(typeof(PublishedBuildTests));
        var fault = Own(typeof(AutoClosureCrashTests));

        var ordered = new LongestFirst().OrderTestCollections([
            ownClass, fault, Defined(typeof(AppCollection), AppCollection.Name), Defined(typeof(BrowserCollection), BrowserCollection.Name),
            Defined(typeof(DemoHistoryCollection), DemoHistoryCollection.Name), published,
        ]).Select(c => c.DisplayName).ToList();

        Assert.Equal([BrowserCollection.Name, AppCollection.Name, fault.DisplayName, ownClass.DisplayName], ordered[2..]);
        Assert.Equal(new[] { DemoHistoryCollection.Name, published.DisplayName }.Order(), ordered[..2].Order());
    }
}
