using Microsoft.Extensions.Time.Testing;
using ServiceHub.App.Components.Shared;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

/// <summary>The intake's look-ups as the agent types (standard replies, likely duplicates): once per pause in the typing, not per keystroke.</summary>
public sealed class TypedLookupTests
{
    private readonly FakeTimeProvider _clock = new(TestClock.Start);
    private readonly List<string> _lookedUp = [];

    private Func<Task> LookUp(string what) => () =>
    {
        _lookedUp.Add(what);
        return Task.CompletedTask;
    };

    [Fact]
    public async Task A_burst_of_typing_is_looked_up_once_when_it_pauses_and_a_new_project_at_once()
    {
        using var lookup = new TypedLookup(_clock);
        await lookup.RunAsync(1, "", true, LookUp("opened"));
        Assert.Equal(["opened"], _lookedUp);

        var typing = new[] { "屋", "屋顶", "屋顶漏", "屋顶漏水" }.Select(t => lookup.RunAsync(1, t, true, LookUp(t))).ToList();
        _clock.Advance(TypedLookup.Pause - TimeSpan.FromMilliseconds(1));
        Assert.Equal(["opened"], _lookedUp);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await Task.WhenAll(typing);
        Assert.Equal(["opened", "屋顶漏水"], _lookedUp);

        // The same project and text again: nothing; another project: at once, and the typing pending before it is dropped.
        await lookup.RunAsync(1, "屋顶漏水", true, LookUp("unchanged"));
        var pending = lookup.RunAsync(1, "屋顶漏水了", true, LookUp("typed on"));
        await lookup.RunAsync(2, "屋顶漏水了", true, LookUp("other project"));
        _clock.Advance(TypedLookup.Pause);
        await pending;
        Assert.Equal(["opened", "屋顶漏水", "other project"], _lookedUp);

        // A prerendered page is not typed into: it looks up at once and never waits on the clock.
        await lookup.RunAsync(2, "屋顶漏水了，车被淋湿", false, LookUp("prerendered"));
        Assert.Equal(["opened", "屋顶漏水", "other project", "prerendered"], _lookedUp);
    }
}
