using System.Collections.Concurrent;
using System.Diagnostics;

namespace ServiceHub.Benchmarks.Circuits;

/// <summary>What one simulated user did: a step of the journey (or a sub-step of adding a note) and how long the page took.</summary>
public sealed record StepResult(string Kind, long CompletedAt, double Milliseconds, bool Ok);

/// <summary>
/// One department handler at work, in one browser tab: opens the department queue, then loops "open a complaint of the queue →
/// add a progress note → open the queue again", thinking between steps. Each step's latency is the time from the user's action
/// (the navigation, the click on 添加进展) until the page shows its result (the complaint with its timeline, the new note in the
/// timeline, the queue's rows). A step that fails or takes over 30 s counts as failed and the tab is opened afresh.
/// </summary>
public sealed class HandlerJourney(Uri baseUri, string userName, int seed, TimeSpan think, ConcurrentQueue<StepResult> results)
{
    public const string OpenQueue = "open the queue";
    public const string OpenComplaint = "open a complaint";
    public const string AddNote = "add a progress note";
    public const string ChooseNote = "· choose 添加进展";
    public const string TypeNote = "· type the note";
    public static readonly string[] Steps = [OpenQueue, OpenComplaint, AddNote];

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);
    private readonly Random _random = new(seed);
    private BlazorCircuit? _circuit;
    private int _notes;

    /// <summary>User events sent to the server (navigations, clicks, changes): the denominator of "CPU per event".</summary>
    public int Events;
    public ConcurrentQueue<string> Errors { get; } = new();
    public BlazorCircuit? Circuit => _circuit;

    private static bool QueueShown(RenderTree t) => t.AllByTestId("queue-link").Any();

    private static bool ComplaintShown(RenderTree t) => t.ByTestId("timeline") is not null && t.ByTestId("complaint-actions") is not null;

    /// <summary>Signs in and opens the queue (not measured: the ramp-up).</summary>
    public async Task ConnectAsync(CancellationToken ct)
    {
        var cookies = await BenchSignIn.SignInAsync(baseUri.ToString(), userName, ct);
        _circuit = await BlazorCircuit.OpenAsync(baseUri, cookies, "/complaints/queue", QueueShown, TimeSpan.FromSeconds(60), ct);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        await Task.Delay(Think(), ct); // users do not act in step
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await StepAsync(OpenComplaint, OpenComplaintAsync, ct);
                await Task.Delay(Think(), ct);
                await StepAsync(AddNote, AddNoteAsync, ct);
                await Task.Delay(Think(), ct);
                await StepAsync(OpenQueue, c => NavigateAsync("/complaints/queue", QueueShown, c), ct);
                await Task.Delay(Think(), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Errors.Enqueue($"{userName}: {ex.GetBaseException().Message}");
                await ReopenAsync(ct);
            }
        }
    }

    private async Task StepAsync(string kind, Func<CancellationToken, Task<TimeSpan>> step, CancellationToken ct)
    {
        try
        {
            var took = await step(ct).WaitAsync(StepTimeout, ct);
            results.Enqueue(new StepResult(kind, Stopwatch.GetTimestamp(), took.TotalMilliseconds, true));
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            results.Enqueue(new StepResult(kind, Stopwatch.GetTimestamp(), StepTimeout.TotalMilliseconds, false));
            throw new InvalidOperationException($"{kind}: {ex.GetBaseException().Message}", ex);
        }
    }

    private async Task<TimeSpan> OpenComplaintAsync(CancellationToken ct)
    {
        var links = _circuit!.Read(t => t.AllByTestId("queue-link").ToList());
        if (links.Count == 0) throw new InvalidOperationException("the queue lists no complaint");
        var link = links[_random.Next(links.Count)];
        var shown = _circuit.Expect(ComplaintShown);
        // A click on a link: the link's own click handler (MudLink has one) and the navigation blazor.web.js intercepts.
        if (link.Events.ContainsKey("click")) { Interlocked.Increment(ref Events); _ = _circuit.ClickAsync(link, ct); }
        Interlocked.Increment(ref Events);
        await _circuit.NavigateAsync(link.Attr("href")!, ct);
        return await shown;
    }

    private async Task<TimeSpan> NavigateAsync(string href, Func<RenderTree, bool> shownWhen, CancellationToken ct)
    {
        var shown = _circuit!.Expect(shownWhen);
        Interlocked.Increment(ref Events);
        await _circuit.NavigateAsync(href, ct);
        return await shown;
    }

    /// <summary>添加进展 (the action), the note typed, then the button; measured: the button until the note is in the timeline.</summary>
    private async Task<TimeSpan> AddNoteAsync(CancellationToken ct)
    {
        var c = _circuit!;
        if (c.Read(t => t.ByTestId("panel-note")) is null)
        {
            var action = c.Read(t => t.ByTestId("action-note")) ?? throw new InvalidOperationException("no 添加进展 action on the complaint");
            var panel = c.Expect(t => t.ByTestId("panel-note") is not null);
            Interlocked.Increment(ref Events);
            await c.ClickAsync(action, ct);
            results.Enqueue(new StepResult(ChooseNote, Stopwatch.GetTimestamp(), (await panel.WaitAsync(StepTimeout, ct)).TotalMilliseconds, true));
        }
        await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(800, 2000)), ct); // typing
        var field = c.Read(t => RenderTree.Descendants(t.ByTestId("panel-note")!).FirstOrDefault(e => e.Tag == "textarea"))
                    ?? throw new InvalidOperationException("no note field");
        var text = $"进展：已与业主沟通，维修班组明日上门复查（{userName} 第{++_notes}条）";
        var typed = Stopwatch.StartNew();
        Interlocked.Increment(ref Events);
        await c.ChangeAsync(field, text, ct);
        results.Enqueue(new StepResult(TypeNote, Stopwatch.GetTimestamp(), typed.Elapsed.TotalMilliseconds, true));
        await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(200, 600)), ct);
        var submit = c.Read(t => t.ByTestId("note-submit")) ?? throw new InvalidOperationException("no note button");
        var added = c.Expect(t => t.ByTestId("timeline") is { } timeline && RenderTree.Text(timeline).Contains(text, StringComparison.Ordinal));
        Interlocked.Increment(ref Events);
        await c.ClickAsync(submit, ct);
        return await added;
    }

    private async Task ReopenAsync(CancellationToken ct)
    {
        try
        {
            if (_circuit is not null) await _circuit.DisposeAsync();
            _circuit = null;
            await Task.Delay(Think(), ct);
            await ConnectAsync(ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            Errors.Enqueue($"{userName}: reopening: {ex.GetBaseException().Message}");
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // The run ended while this circuit was reconnecting (SignalR reports it as an AggregateException, not a cancellation):
            // nothing to measure any more, and the benchmark must still print its table.
        }
    }

    private TimeSpan Think() => think * (0.5 + _random.NextDouble());

    public async Task CloseAsync()
    {
        if (_circuit is not null) await _circuit.DisposeAsync();
        _circuit = null;
    }
}
