namespace ServiceHub.Tests.Infrastructure;

/// <summary>The Data services and the clock over the test class's database, nothing made yet: for tests that build what they need.</summary>
public sealed class DataWorld : World<DataWorld>
{
    protected override Task SetUpAsync() => Task.CompletedTask;
}
