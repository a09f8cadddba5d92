using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServiceHub.Benchmarks.Circuits;

/// <summary>
/// One browser tab of a signed-in user, speaking the Blazor Server protocol as blazor.web.js does, without a browser: it starts
/// a circuit for a prerendered page (the page's component markers and persisted state), applies every render batch to a
/// <see cref="RenderTree"/> and acknowledges it, answers the server's JS interop calls as the page's scripts would (MudBlazor's
/// measurements with plausible values, the rest as done), dispatches DOM events to handler ids and navigates inside the app.
/// The page's own script <c>serviceHubAlerts.start</c> opens the alerts hub connection, as emergencies.js does in a browser.
/// On dispose it sends the disconnect beacon a closing tab sends, so the server ends the circuit at once.
/// </summary>
public sealed partial class BlazorCircuit : IAsyncDisposable
{
    private readonly Uri _base;
    private readonly CookieContainer _cookies;
    private readonly HubConnection _hub;
    private readonly RenderTree _tree = new();
    private readonly List<Waiter> _waiters = [];
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string?>> _calls = new();
    private readonly TaskCompletionSource _interopReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HubConnection? _alerts;
    private long _interopObjectId;
    private int _nextCallId, _nextJsObjectId;
    private string? _circuitSecret;

    /// <summary>Errors the server reported to this circuit (JS.Error, failed event dispatches): the run prints them.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();
    /// <summary>The JS calls the server awaited, with what this client answered, and how often (all circuits).</summary>
    public static ConcurrentDictionary<string, int> JSCalls { get; } = new();
    public long Batches { get; private set; }
    public long BatchBytes { get; private set; }

    private BlazorCircuit(Uri baseUri, CookieContainer cookies)
    {
        _base = baseUri;
        _cookies = cookies;
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, "_blazor"), HttpTransportType.WebSockets, o => o.Cookies = cookies);
        builder.Services.AddSingleton<IHubProtocol>(new BlazorPackProtocol());
        builder.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddProvider(new ErrorLog(Errors)));
        _hub = builder.Build();
        _hub.ServerTimeout = TimeSpan.FromMinutes(2);
        _hub.On("JS.RenderBatch", [typeof(long), typeof(byte[])], a => OnRenderBatchAsync((long)a[0]!, (byte[])a[1]!));
        _hub.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)],
            a => OnBeginInvokeJSAsync((long)a[0]!, (string)a[1]!, (string?)a[2], (int)a[3]!));
        _hub.On("JS.EndInvokeDotNet", [typeof(string), typeof(bool), typeof(string)], a =>
        {
            if (_calls.TryRemove((string)a[0]!, out var call))
            {
                if ((bool)a[1]!) call.TrySetResult((string?)a[2]);
                else call.TrySetException(new InvalidOperationException((string?)a[2]));
            }
            return Task.CompletedTask;
        });
        _hub.On("JS.Error", [typeof(string)], a => { Errors.Enqueue("JS.Error: " + a[0]); FailWaiters("circuit error: " + a[0]); return Task.CompletedTask; });
        _hub.On("JS.EndUpdateRootComponents", [typeof(long)], _ => Task.CompletedTask);
        _hub.On("JS.AttachComponent", [typeof(int), typeof(string)], a =>
        {
            lock (_tree) _tree.AttachRoot((int)a[0]!);
            return Task.CompletedTask;
        });
        _hub.Closed += ex =>
        {
            if (ex is not null) Errors.Enqueue("connection closed: " + ex.Message);
            FailWaiters("connection closed");
            return Task.CompletedTask;
        };
    }

    /// <summary>Opens <paramref name="path"/> as a signed-in browser would and waits until the interactive page shows <paramref name="ready"/>.</summary>
    public static async Task<BlazorCircuit> OpenAsync(Uri baseUri, CookieContainer cookies, string path, Func<RenderTree, bool> ready, TimeSpan timeout, CancellationToken ct)
    {
        var circuit = new BlazorCircuit(baseUri, cookies);
        try
        {
            await circuit.StartAsync(path, ready, timeout, ct);
            return circuit;
        }
        catch
        {
            await circuit.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(string path, Func<RenderTree, bool> ready, TimeSpan timeout, CancellationToken ct)
    {
        var page = new Uri(_base, path);
        string html;
        using (var http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false }))
        {
            var response = await http.GetAsync(page, ct);
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode}");
            html = await response.Content.ReadAsStringAsync(ct);
        }
        // blazor.web.js: every <!--Blazor:{…}--> start marker of a server component becomes an "add" operation, in document order.
        var markers = Marker().Matches(html).Select(m => JsonNode.Parse(m.Groups[1].Value)!.AsObject())
            .Where(m => (string?)m["type"] == "server" && m["descriptor"] is not null).ToList();
        if (markers.Count == 0) throw new InvalidOperationException($"GET {path}: no interactive component in the page");
        var state = State().Match(html) is { Success: true } s ? s.Groups[1].Value : "";
        var operations = new JsonArray();
        for (var i = 0; i < markers.Count; i++)
        {
            markers[i]["uniqueId"] = i;
            operations.Add(new JsonObject { ["type"] = "add", ["ssrComponentId"] = i + 1, ["marker"] = markers[i] });
        }

        var shown = Expect(ready);
        await _hub.StartAsync(ct);
        _circuitSecret = await _hub.InvokeAsync<string?>("StartCircuit", _base.ToString(), page.ToString(), "[]", state, ct)
                         ?? throw new InvalidOperationException($"the server refused a circuit for {path}");
        await _hub.SendAsync("UpdateRootComponents", new JsonObject { ["batchId"] = 1, ["operations"] = operations }.ToJsonString(), state, ct);
        await _interopReady.Task.WaitAsync(timeout, ct);
        await shown.WaitAsync(timeout, ct);
    }

    // ---- what a user does ------------------------------------------------------------------------------------------------------

    /// <summary>Runs <paramref name="query"/> on the page as it is now.</summary>
    public T Read<T>(Func<RenderTree, T> query)
    {
        lock (_tree) return query(_tree);
    }

    /// <summary>
    /// A task that completes with the time from now until the page first satisfies <paramref name="condition"/> after a batch
    /// (registered before the action it waits for, so a fast answer is not missed).
    /// </summary>
    public Task<TimeSpan> Expect(Func<RenderTree, bool> condition)
    {
        var waiter = new Waiter(condition, Stopwatch.GetTimestamp());
        lock (_tree) _waiters.Add(waiter);
        return waiter.Done.Task;
    }

    /// <summary>A link followed inside the app: the navigation blazor.web.js intercepts and reports to the circuit.</summary>
    public Task NavigateAsync(string href, CancellationToken ct) =>
        _hub.SendAsync("OnLocationChanged", new Uri(_base, href).ToString(), null, true, ct);

    public Task ClickAsync(ElementNode element, CancellationToken ct) =>
        DispatchAsync(element, "click", """{"type":"click","detail":1,"button":0,"buttons":0,"screenX":0,"screenY":0,"clientX":0,"clientY":0,"offsetX":0,"offsetY":0,"pageX":0,"pageY":0,"movementX":0,"movementY":0,"ctrlKey":false,"shiftKey":false,"altKey":false,"metaKey":false}""", ct);

    /// <summary>Text entered into a field: its change event (or input event, for a field bound at every keystroke).</summary>
    public Task ChangeAsync(ElementNode field, string value, CancellationToken ct) =>
        DispatchAsync(field, field.Events.ContainsKey("change") ? "change" : "input",
            new JsonObject { ["value"] = value }.ToJsonString(), ct);

    /// <summary>Sends a DOM event to the element's handler and completes when the server has run the handler.</summary>
    private async Task DispatchAsync(ElementNode element, string eventName, string argsJson, CancellationToken ct)
    {
        ulong handler;
        lock (_tree)
            if (!element.Events.TryGetValue(eventName, out handler)) throw new InvalidOperationException($"<{element.Tag}> has no {eventName} handler");
        var callId = Interlocked.Increment(ref _nextCallId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[callId] = done;
        var descriptor = $$"""{"eventHandlerId":{{handler}},"eventName":"{{eventName}}","eventFieldInfo":null}""";
        await _hub.SendAsync("BeginInvokeDotNetFromJS", callId, null, "DispatchEventAsync", _interopObjectId, $"[{descriptor},{argsJson}]", ct);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
    }

    // ---- what the page's scripts do ---------------------------------------------------------------------------------------------

    private async Task OnRenderBatchAsync(long batchId, byte[] data)
    {
        string? error = null;
        lock (_tree)
        {
            try
            {
                _tree.Apply(data);
                Batches++;
                BatchBytes += data.Length;
                var now = Stopwatch.GetTimestamp();
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (!_waiters[i].Condition(_tree)) continue;
                    _waiters[i].Done.TrySetResult(Stopwatch.GetElapsedTime(_waiters[i].Since, now));
                    _waiters.RemoveAt(i);
                }
            }
            catch (Exception ex)
            {
                error = ex.ToString();
                Errors.Enqueue("batch " + batchId + ": " + ex.Message);
            }
        }
        await _hub.SendAsync("OnRenderCompleted", batchId, error);
    }

    private async Task OnBeginInvokeJSAsync(long asyncHandle, string identifier, string? argsJson, int resultType)
    {
        var args = argsJson is null ? null : JsonNode.Parse(argsJson)?.AsArray();
        switch (identifier)
        {
            case "Blazor._internal.attachWebRendererInterop":
                _interopObjectId = (long)args![1]!["__dotNetObject"]!;
                _interopReady.TrySetResult();
                break;
            case "Blazor._internal.attachRootComponentToElement":
                lock (_tree) _tree.AttachRoot((int)args![1]!);
                break;
            case "Blazor._internal.navigationManager.navigateTo":
                // NavigationManager.NavigateTo: a navigation inside the app is reported back; a forced load would need a new circuit.
                var options = args![1];
                if (options?["forceLoad"]?.GetValue<bool>() == true) Errors.Enqueue("forced load of " + args[0]);
                else await _hub.SendAsync("OnLocationChanged", new Uri(_base, (string)args[0]!).ToString(), null, false);
                break;
            case "serviceHubAlerts.start":
                await StartAlertsAsync();
                break;
        }
        if (asyncHandle == 0) return;
        var result = resultType == 1 ? $$"""{"__jsObjectId":{{Interlocked.Increment(ref _nextJsObjectId)}}}""" : ResultOf(identifier);
        JSCalls.AddOrUpdate($"{identifier} → {(resultType == 3 ? "void" : result.Length > 20 ? result[..20] + "…" : result)}", 1, (_, n) => n + 1);
        await _hub.SendAsync("EndInvokeJSFromDotNet", asyncHandle, true, $"[{asyncHandle},true,{result}]");
    }

    /// <summary>What a 1600×900 desktop browser answers to the calls that return a value; everything else returns nothing.</summary>
    private static string ResultOf(string identifier) => identifier switch
    {
        "mudpopoverHelper.countProviders" => "1",
        "window.hasOwnProperty" => "true", // MudBlazor: is its script loaded?
        "mudThemeProvider.isDarkMode" or "mudThemeProvider.watchDarkMode" or "mudResizeListener.matchMedia" => "false",
        "mudResizeListener.getBrowserWindowSize" => """{"height":900,"width":1600}""",
        "mudElementRef.getBoundingClientRect" => """{"top":0,"left":0,"bottom":20,"right":100,"width":100,"height":20,"x":0,"y":0,"scrollX":0,"scrollY":0,"windowHeight":900,"windowWidth":1600}""",
        "mudResizeObserver.connect" => "[]",
        "Blazor._internal.PageTitle.getAndRemoveExistingTitle" => "\"\"",
        _ => "null",
    };

    /// <summary>emergencies.js: one SignalR connection to /hubs/alerts for the page, signed in by the cookie.</summary>
    private async Task StartAlertsAsync()
    {
        if (_alerts is not null) return;
        _alerts = new HubConnectionBuilder().WithUrl(new Uri(_base, "hubs/alerts"), HttpTransportType.WebSockets, o => o.Cookies = _cookies).Build();
        _ = _alerts.StartAsync().ContinueWith(t => Errors.Enqueue("alerts hub: " + t.Exception!.GetBaseException().Message), TaskContinuationOptions.OnlyOnFaulted);
        await Task.CompletedTask;
    }

    private void FailWaiters(string why)
    {
        lock (_tree)
        {
            foreach (var w in _waiters) w.Done.TrySetException(new InvalidOperationException(why));
            _waiters.Clear();
        }
    }

    /// <summary>The tab closes: the disconnect beacon ends the circuit on the server at once (not kept for a reconnection).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_circuitSecret is { } secret)
        {
            try
            {
                using var http = new HttpClient(new HttpClientHandler { CookieContainer = _cookies });
                await http.PostAsync(new Uri(_base, "_blazor/disconnect"), new FormUrlEncodedContent(new Dictionary<string, string> { ["circuitId"] = secret }));
            }
            catch (HttpRequestException) { /* the server is gone */ }
        }
        await _hub.DisposeAsync();
        if (_alerts is not null) await _alerts.DisposeAsync();
    }

    private sealed record Waiter(Func<RenderTree, bool> Condition, long Since)
    {
        public TaskCompletionSource<TimeSpan> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The SignalR client's warnings (an invocation it could not bind, a dropped connection) join the circuit's errors.</summary>
    private sealed class ErrorLog(ConcurrentQueue<string> errors) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) errors.Enqueue("signalr: " + formatter(state, exception));
        }
        public void Dispose() { }
    }

    [GeneratedRegex("<!--Blazor:(\\{.*?\\})-->", RegexOptions.Singleline)]
    private static partial Regex Marker();

    [GeneratedRegex("<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex State();

    /// <summary>Blazor's hub protocol: SignalR's MessagePack protocol under the name "blazorpack".</summary>
    private sealed class BlazorPackProtocol : IHubProtocol
    {
        private readonly MessagePackHubProtocol _inner = new();
        public string Name => "blazorpack";
        public int Version => 1;
        public TransferFormat TransferFormat => TransferFormat.Binary;
        public bool IsVersionSupported(int version) => version == 1;
        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message) => _inner.TryParseMessage(ref input, binder, out message);
        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);
        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);
    }
}
