namespace ServiceHub.App.Components.Shared;

/// <summary>
/// A look-up the intake makes as the agent types (the standard replies, the likely duplicates): the content field is bound at every
/// keystroke, so the look-up runs at once for a new project (or the first time), but for new content only once the typing has paused
/// for <see cref="Pause"/> on the app's clock — one query for a burst of typing, not one per character — and never twice for the same
/// project and content. Only a live page waits: a prerendered page is not typed into, and its render must not wait on a clock.
/// </summary>
public sealed class TypedLookup(TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(300);

    private (int? ProjectId, string? Content)? _last;
    private CancellationTokenSource? _pending;

    /// <summary>Runs <paramref name="lookUp"/> when it is due; returns without running it when unchanged or when more typing followed.</summary>
    /// <param name="interactive">Whether the page is live (<c>RendererInfo.IsInteractive</c>); a prerendered page looks up at once.</param>
    public async Task RunAsync(int? projectId, string? content, bool interactive, Func<Task> lookUp)
    {
        if (_last == (projectId, content)) return;
        var typing = interactive && _last?.ProjectId == projectId;
        _last = (projectId, content);
        Cancel();
        if (typing)
        {
            var mine = _pending = new CancellationTokenSource();
            try
            {
                await Task.Delay(Pause, clock, mine.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        await lookUp();
    }

    private void Cancel()
    {
        _pending?.Cancel();
        _pending?.Dispose();
        _pending = null;
    }

    public void Dispose() => Cancel();
}
