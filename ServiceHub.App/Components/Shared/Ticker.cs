namespace ServiceHub.App.Components.Shared;

/// <summary>A page-level clock for live countdowns: re-renders the owner every second with the current time.</summary>
public sealed class Ticker : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly TimeProvider _clock;

    public DateTimeOffset Now { get; private set; }

    public Ticker(TimeProvider clock, Func<Func<Task>, Task> invokeAsync, Action stateHasChanged, TimeSpan? period = null)
    {
        _clock = clock;
        Now = clock.GetUtcNow();
        _ = RunAsync(invokeAsync, stateHasChanged, period ?? TimeSpan.FromSeconds(1));
    }

    private async Task RunAsync(Func<Func<Task>, Task> invokeAsync, Action stateHasChanged, TimeSpan period)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_cts.Token))
            {
                Now = _clock.GetUtcNow();
                await invokeAsync(() => { stateHasChanged(); return Task.CompletedTask; });
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
    }
}
