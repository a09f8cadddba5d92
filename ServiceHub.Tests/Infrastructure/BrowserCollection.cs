namespace ServiceHub.Tests.Infrastructure;

/// <summary>
/// The journeys in Chromium and the SignalR clients share one <see cref="BrowserAppFactory"/> (the app on a real port) and one
/// <see cref="BrowserFixture"/> (one Chromium; each test opens its own browser context). The same rules as <see cref="AppCollection"/>:
/// tests run one after another, each asserts on records of its own, and a test that needs figures nobody else changes keeps an app of its own
/// (as a class fixture) while still using the collection's Chromium.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserAppFactory>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
