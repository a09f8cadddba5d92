using Microsoft.AspNetCore.Components;

namespace ServiceHub.App.Components.Shared;

/// <summary>
/// A component that shows something of the time now — a countdown, a time missed — and renders again only when what it shows
/// changes: <see cref="Shown"/> is what it shows at an instant (compared between renders). Moved by the page's
/// <see cref="CountdownScope"/> when there is one (the app's layout), otherwise by its own subscription to the <see cref="CountdownClock"/>.
/// </summary>
public abstract class CountdownView : ComponentBase, IDisposable
{
    [Inject] private CountdownClock Clock { get; set; } = default!;
    [CascadingParameter] private CountdownScope? Scope { get; set; }
    /// <summary>The scope's tick: a new value makes this view compare what it shows (see <see cref="ShouldRender"/>).</summary>
    [CascadingParameter(Name = CountdownScope.NowName)] private DateTimeOffset? Ticked { get; set; }

    private object? _shown;
    private bool _registered;
    private IDisposable? _ownTicks;

    /// <summary>The time now on the server's clock.</summary>
    protected DateTimeOffset Now => Clock.Now;

    /// <summary>What the view shows at <paramref name="now"/> (its parameters included), as a value compared with the last render's.</summary>
    protected abstract object? Shown(DateTimeOffset now);

    /// <summary>Whether the view would show something else at <paramref name="now"/> than it shows now.</summary>
    internal bool ChangesAt(DateTimeOffset now) => !Equals(Shown(now), _shown);

    protected override void OnParametersSet()
    {
        if (_registered || !RendererInfo.IsInteractive) return;
        _registered = true;
        if (Scope is not null) Scope.Add(this);
        else _ownTicks = Clock.Subscribe(now => _ = InvokeAsync(() => { if (ChangesAt(now)) StateHasChanged(); }));
    }

    protected override bool ShouldRender() => ChangesAt(Now);

    /// <summary>Call at the start of the render: records what this render shows.</summary>
    protected void Rendering(DateTimeOffset now) => _shown = Shown(now);

    public void Dispose()
    {
        Scope?.Remove(this);
        _ownTicks?.Dispose();
    }
}
